"""Findings in the editors' words (Chinese), for the desk and the alerts."""

from __future__ import annotations

from hub.models import Finding, FindingKind, Severity

KINDS: dict[FindingKind, str] = {
    "no-title": "没有标题",
    "unreadable": "无法识别的字符",
    "garbled": "乱码",
    "typo": "错别字",
    "formulation": "表述错误",
    "sensitive": "敏感词",
    "protected": "规范表述",
    "dead-link": "死链",
    "moved-link": "链接已指向其他网站",
    "future-date": "发布日期晚于抓取时间",
    "backdated": "发布日期远早于抓取时间",
    "date-changed": "发布日期被修改",
}
SEVERITIES: dict[Severity, str] = {"notice": "提示", "warning": "一般", "serious": "严重"}
FIELDS = {"title": "标题", "text": "正文", "link": "链接", "date": "日期"}
REPLACES = ("typo", "formulation", "protected")  # their suggestion is the right form


def describe(finding: Finding) -> str:
    """One line of a finding: [严重] 错别字「做为」→「作为」，正文第 3 字（county.txt）."""
    where = FIELDS[finding.field]
    if finding.position >= 0:
        where += f"第 {finding.position + 1} 字"
    found = f"「{finding.text}」" if finding.text else ""
    if finding.suggestion and finding.kind in REPLACES:
        instead = f" → 「{finding.suggestion}」"
    else:
        instead = f"：{finding.suggestion}" if finding.suggestion else ""
    note = f"（{finding.note}）" if finding.note else ""
    return f"[{SEVERITIES[finding.severity]}] {KINDS[finding.kind]}{found}{instead}，{where}{note}"
