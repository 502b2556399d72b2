// A real OpenID Connect provider for the tests: panva's oidc-provider (certified by the
// OpenID Foundation), on 127.0.0.1. Its own development sign-in pages stand in for a
// company's login screen: any login name is accepted, and the accounts below give the
// claims KMS maps to a role and teams.
//
//   node provider.mjs <port> <client_id> <client_secret> <redirect_uri>
//
// Prints "ready <issuer>" on stdout once it listens.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  "ada.curator": { name: "Ada Curator", kms_role: "curator", groups: ["emea-enterprise"] },
  "bo.rep": { name: "Bo Rep", kms_role: "rep", groups: ["apac-midmarket", "bad team name!"] },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  pkce: { required: () => true },
  claims: {
    openid: ["sub"],
    profile: ["name", "preferred_username"],
    email: ["email"],
    kms: ["kms_role", "groups"],
  },
  scopes: ["openid", "profile", "email", "kms"],
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["kms-tests-only-cookie-key"] },
  async findAccount(ctx, id) {
    const known = ACCOUNTS[id] || { name: id };
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, email: `${id}@example.com`, ...known };
      },
    };
  },
});
provider.proxy = false;

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
