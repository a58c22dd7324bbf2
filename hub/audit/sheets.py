"""The inspection self-check report laid out as tables with Chinese headings, the same for
the spreadsheet and the printed page: 汇总, 按部门和账号, 按栏目, 一单位一平台一号, 内容问题.
No IO.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from hub.audited import AuditReport, Column, Freshness, Sheet, Veto, VetoItem
from hub.config import Audit, Channel, Source

COLUMN_NAMES: Mapping[Column, str] = {
    "news": "动态/要闻类",
    "notice": "通知公告/政策文件类",
    "static": "不要求定期更新",
}
VETO_NAMES: Mapping[VetoItem, str] = {
    "home": "首页不更新（{news} 天内无有日期的信息）",
    "stale": "栏目不更新（动态/要闻类 {news} 天、通知公告/政策文件类 {notice} 天未更新）",
    "blank": "空白栏目",
    "long-stale": "应更新但长期未更新的栏目（含空白栏目）",
    "unavailable": "站点无法访问（近 {window} 天抓取失败或超过 {slow:g} 秒的比例 ≥ {share:.0%}）",
    "account-stale": "政务新媒体/来源账号不更新",
}
STATES = {
    "active": "正常更新",
    "low-activity": "更新较少",
    "dormant": "长期未更新",
    "failing": "采集失败",
    "gone": "已停止更新",
    "new": "尚未采集",
}


def sheets(
    report: AuditReport,
    sources: Sequence[Source],
    channels: Sequence[Channel],
    thresholds: Audit,
    zone: tzinfo,
) -> tuple[Sheet, ...]:
    names = {s.id: s for s in sources}
    return (
        _summary(report, thresholds, names, channels),
        _accounts(report, names, zone),
        _sections(report, channels, zone),
        Sheet(
            "一单位一平台一号",
            ("单位", "平台", "账号数", "账号"),
            tuple(
                (d.unit, d.platform, len(d.sources), "、".join(names[s].name for s in d.sources))
                for d in report.duplicates
            ),
            "一个单位原则上在同一个第三方平台只开设一个政务新媒体账号（国办发〔2018〕123号）",
        ),
        Sheet(
            "内容问题",
            ("单位", "账号", "季度", "错别字", "表述错误", "敏感词", "链接失效", "其他", "合计"),
            tuple(
                (
                    names[t.source_id].department,
                    names[t.source_id].name,
                    t.quarter,
                    t.typo,
                    t.formulation,
                    t.sensitive,
                    t.links,
                    t.other,
                    t.total,
                )
                for t in report.findings
                if t.source_id in names
            ),
            "按信息日期所在季度统计门户所示信息的内容检查结果",
        ),
    )


def _summary(
    report: AuditReport, thresholds: Audit, names: Mapping[str, Source], channels: Sequence[Channel]
) -> Sheet:
    titles = {c.slug: c.title for c in channels}

    def row(veto: Veto) -> tuple[str, int, int, str, str]:
        label = VETO_NAMES[veto.item].format(
            news=thresholds.news_days,
            notice=thresholds.notice_days,
            window=thresholds.window_days,
            slow=thresholds.slow,
            share=thresholds.unavailable,
        )
        subjects = (titles.get(s) or (names[s].name if s in names else s) for s in veto.subjects)
        verdict = "单项否决" if veto.vetoed else "未达否决线"
        return label, veto.found, veto.line, verdict, "、".join(subjects)

    rows = [row(v) for v in report.vetoes]
    rows.append(
        (
            "一单位同一平台多个账号",
            len(report.duplicates),
            1,
            "需整合" if report.duplicates else "无",
            "",
        )
    )
    total = sum(t.total for t in report.findings)
    rows.append(
        (
            "内容问题（错别字、表述错误、敏感词、链接失效等）",
            total,
            1,
            "需整改" if total else "无",
            "",
        )
    )
    return Sheet(
        "汇总",
        ("检查项", "发现", "否决线", "结论", "涉及"),
        tuple(rows),
        "依据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决指标自查；"
        "没有日期的信息不算更新",
    )


def _dated(found: Freshness | None, zone: tzinfo) -> tuple[str, str, int | str, str]:
    """The latest dated item, days since, the days allowed, and the verdict."""
    if found is None:
        return "", "", "", ""
    last = found.last_dated.astimezone(zone).strftime("%Y-%m-%d") if found.last_dated else ""
    days = "" if found.days_since is None else str(found.days_since)
    if found.blank:
        verdict = "空白（从未发布信息）"
    elif found.stale:
        verdict = "超期未更新"
    else:
        verdict = "正常" if found.limit else "不要求定期更新"
    return last, days, found.limit or "", verdict


def _accounts(report: AuditReport, names: Mapping[str, Source], zone: tzinfo) -> Sheet:
    rows = []
    for found in report.sources:
        source = names[found.source_id]
        rows.append(
            (
                source.department,
                source.name,
                source.where,
                COLUMN_NAMES[source.column],
                found.posts,
                *_dated(found.freshness, zone),
                found.fetches,
                found.failed,
                f"{found.unavailable:.1%}" if found.fetches else "",
                STATES[found.state],
            )
        )
    return Sheet(
        "按部门和账号",
        (
            "单位",
            "账号",
            "平台",
            "栏目类型",
            "信息数",
            "最近有日期的信息",
            "未更新天数",
            "更新要求（天）",
            "更新情况",
            "近期抓取次数",
            "失败或超时",
            "不可用比例",
            "采集状态",
        ),
        tuple(rows),
        "没有日期的信息不算更新；抓取失败指无应答、错误状态或超过时限",
    )


def _sections(report: AuditReport, channels: Sequence[Channel], zone: tzinfo) -> Sheet:
    titles = {c.slug: c.title for c in channels}
    return Sheet(
        "按栏目",
        (
            "栏目",
            "标识",
            "栏目类型",
            "信息数",
            "最近有日期的信息",
            "未更新天数",
            "更新要求（天）",
            "更新情况",
        ),
        tuple(
            (
                titles.get(s.slug, s.slug),
                s.slug,
                COLUMN_NAMES[s.freshness.column],
                s.freshness.posts,
                *_dated(s.freshness, zone),
            )
            for s in report.sections
        ),
        "门户各栏目按栏目类型的更新要求检查；空白栏目指从未发布过信息的栏目",
    )


def title(site: str, now: datetime, zone: tzinfo) -> str:
    return f"{site} 政府网站与政务新媒体自查报告（{now.astimezone(zone):%Y-%m-%d}）"
