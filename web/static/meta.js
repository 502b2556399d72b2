// Reference data the pages need for selectors: the stages of the sales process and the
// taxonomy entities (products, industries, competitors). Loaded once per page.

import { qs } from "./api.js";

export const ASSET_KINDS = [
  "battlecard", "case_study", "discovery_guide", "objection_handling", "pricing", "product_sheet",
  "proposal_template", "email_template", "playbook", "article", "document", "winloss_note", "problem",
];
export const LANGUAGES = ["zh", "en", "mixed"];

// The default process, used only when the API does not list its stages.
const DEFAULT_STAGES = [
  ["prospecting", "Prospecting", "线索开发"],
  ["qualification", "Qualification", "资格确认"],
  ["discovery", "Discovery", "需求诊断"],
  ["solution_design", "Solution design", "方案设计"],
  ["proposal", "Proposal", "方案呈现与报价"],
  ["negotiation", "Negotiation", "商务谈判"],
  ["closing", "Closing", "成交"],
  ["expansion", "Expansion", "客户成功与扩展"],
].map(([key, name_en, name_zh], i) => ({ key, name_en, name_zh, order: i + 1 }));

function items(data) {
  if (Array.isArray(data)) return data;
  return data?.data || data?.items || data?.stages || data?.entities || [];
}

/** Stages (ordered) and entities; `check` errors (401/403) propagate to the key gate. */
export async function loadMeta(api) {
  const stages = await api.get("/v1/stages").then(items).catch((err) => {
    if (err.status === 401 || err.status === 403) throw err;
    return DEFAULT_STAGES;
  });
  const entity = (type) =>
    api.get(`/v1/graph/entities${qs({ type, limit: 200 })}`).then(items).catch(() => []);
  const [products, industries, competitors] = await Promise.all([
    entity("product"), entity("industry"), entity("competitor"),
  ]);
  const ordered = (stages.length ? stages : DEFAULT_STAGES)
    .map((s) => ({ ...s, name_en: s.name_en || s.names?.en, name_zh: s.name_zh || s.names?.zh }))
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  return {
    stages: ordered,
    stageByKey: new Map(ordered.map((s) => [s.key, s])),
    products, industries, competitors,
  };
}
