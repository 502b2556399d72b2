"""The in-document repeat check: a second copy of a body points at the first copy's chunks,
fresh text does not, in English and Chinese (its speed: ``bench/repeat_check.py``)."""

from __future__ import annotations

from ingest.dedup import RepeatTracker

EN = [
    "The buyer asked how price protection works when the contract renews next spring.",
    "Security review: send the SOC 2 report and the pen-test summary before the call.",
    "Pilot scope agreed with finance: two regions, ninety days, success measured weekly.",
    "Discount approval needs the VP when it passes twenty percent of the list price.",
]
ZH = [
    "客户询问续约时价格保护如何处理，销售代表逐条说明了合同条款和明年的调整方式，"
    "并承诺在下周一之前把书面说明发给采购部门。",
    "安全审查阶段需要提前发送合规报告和渗透测试摘要，并安排技术团队参加电话会议，"
    "会上逐项回答客户信息安全负责人的问题清单。",
    "试点范围已经与财务确认：两个区域，九十天周期，每周衡量一次成功指标和使用情况，"
    "结束时由双方共同评估是否扩大到全国。",
    "折扣超过标价百分之二十时必须由副总裁审批，审批单需要附上竞争对手的报价证明，"
    "以及客户在过去一年的采购记录。",
]


def test_a_repeated_body_points_at_its_first_copy() -> None:
    for chunks in (EN, ZH):
        tracker = RepeatTracker(0.8)
        for i, text in enumerate(chunks):
            assert tracker.find(text) is None
            tracker.add(i, text)
        for i, text in enumerate(chunks):  # the body again, chunk by chunk
            assert tracker.find(text) == i


def test_a_chunk_straddling_two_earlier_ones_points_at_the_larger_share() -> None:
    tracker = RepeatTracker(0.8)
    for i, text in enumerate(EN[:2]):
        tracker.add(i, text)
    straddling = EN[0][40:] + " " + EN[1][:30]
    assert tracker.find(straddling) == 0


def test_fresh_text_is_no_repeat() -> None:
    tracker = RepeatTracker(0.8)
    for i, text in enumerate(EN + ZH):
        tracker.add(i, text)
    assert tracker.find("A new note on onboarding: the customer wants training in May.") is None
    assert tracker.find("新的记录：客户希望五月份安排上线培训，并邀请技术团队参加。") is None
    assert tracker.find("short") is None  # too short to call a repeat of anything
