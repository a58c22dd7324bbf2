"""The channels.yaml that describes the demo county: its sources and the publication's
sections. The repository's own channels.yaml is this text for the default ports.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from hub.demo import catalogue, render
from hub.demo.county import SOURCES, DemoSource
from hub.demo.phrases import COUNTY
from hub.demo.ports import PORTAL_PORT, WORLD_PORT

# The demo county publishes every few minutes; real departments are polled every 30m-2h.
DEMO_EVERY = "2m"

# How the two CMS families print their lists; the first crawl reads two pages of each.
TRS = {
    "item": "ul.list li",
    "title": "a",
    "link": "a",
    "date": "span",
    "article": "div.TRS_Editor",
    "more": "index_{index}.html",
    "backfill": "2",
}
HANWEB = {
    "item": "table.newslist tr",
    "title": "td.bt a",
    "link": "td.bt a",
    "date": "td.rq",
    "article": "div#zoom",
    "more": '"index.html?pageNum={page}"',
    "backfill": "2",
}

# (slug, title, description, include rules, exclude rules); order is navigation order.
CHANNELS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "shizheng",
        "时政要闻",
        "县委、县政府重要会议和重要活动。",
        "[{title_keywords: [常务会议, 常委会, 县委书记, 县长, 调研, 推进会, 理论学习中心组,"
        " 督导]}]",
        "",
    ),
    ("zhenjie", "镇街动态", "各镇（街道）发布的工作动态。", "[{group: 镇街}]", ""),
    ("bumen", "部门快讯", "县直各部门发布的工作信息。", "[{group: 部门}]", ""),
    (
        "tongzhi",
        "通知公告",
        "各单位发布的通知、公告和公示。",
        "[{title_keywords: [通知, 公告, 公示, 通告]}]",
        "",
    ),
    (
        "yiju",
        "宜居桐溪",
        "城乡建设、人居环境、供水与绿化。",
        "[{keywords: [人居环境, 老旧小区, 垃圾分类, 供水, 污水, 口袋公园, 绿化]}]",
        "",
    ),
    (
        "yiye",
        "宜业桐溪",
        "招聘就业、招商引资与营商环境。",
        "[{keywords: [招聘, 就业, 招商引资, 营商环境, 企业开办, 职业技能, 用工]}]",
        "",
    ),
    (
        "yiyou",
        "宜游桐溪",
        "景区、民宿、节庆与文旅活动。",
        "[{keywords: [旅游, 景区, 民宿, 文旅, 非遗, 游客, 桃花节]}, {tags: 文旅}]",
        "[{keywords: [招标, 采购]}]",
    ),
    (
        "xingfu",
        "幸福桐溪",
        "教育、医疗、医保、养老与社会救助。",
        "[{keywords: [养老, 老年人, 医保, 参保, 义诊, 招生, 救助, 健康]}]",
        "",
    ),
    (
        "pingan",
        "平安桐溪",
        "防汛、安全生产、消防、反诈与应急。",
        "[{keywords: [防汛, 安全生产, 消防, 诈骗, 应急演练, 隐患, 地质灾害, 森林防火]}]",
        "",
    ),
    (
        "hemei",
        "和美桐溪",
        "乡村振兴、文明实践与乡风文明。",
        "[{keywords: [文明实践, 和美乡村, 移风易俗, 乡村振兴, 志愿服务, 乡风文明]}]",
        "",
    ),
    (
        "hongse",
        "红色桐溪",
        "党史学习与红色资源。",
        "[{keywords: [党史, 红色, 革命, 主题党日, 党性教育]}]",
        "",
    ),
    (
        "qingfeng",
        "清风桐溪",
        "党风廉政建设与作风建设。",
        "[{keywords: [八项规定, 党风廉政, 廉洁, 作风建设, 纪委监委, 正风肃纪]}]",
        "",
    ),
    (
        "haoli",
        "桐溪好例",
        "身边的好人好事与先进典型。",
        "[{keywords: [桐溪好人, 表彰, 先进工作者, 榜样, 典型]}]",
        "",
    ),
    (
        "zhoubao",
        "桐溪周报",
        "每周政务信息汇总。",
        "[{source: rmt, keywords: [一周要闻, 周报, 一周政务]}]",
        "",
    ),
    (
        "shoufa",
        "桐溪首发",
        "新闻发布会与权威政策解读。",
        "[{keywords: [新闻发布会, 权威发布, 政策解读]}]",
        "",
    ),
)


# Leaders' news is not repeated among the departments' news: 时政要闻 keeps it.
EXTRA = {
    "shizheng": ("exclusive: 要闻", "priority: 10"),
    "bumen": ("exclusive: 要闻",),
    # the navigation bar's row fits a desktop screen: these go in its 更多栏目 group
    "tongzhi": ("column: notice",),  # the home page's 通知公告 block (site.notices)
    **dict.fromkeys(("hemei", "hongse", "haoli", "zhoubao", "shoufa"), ("nav: more",)),
}
TAGS = {"wlj": "[文旅]", "swj": "[文旅, 商贸]", "rmt": "[媒体]", "xwxcb": "[媒体]"}
# Names residents search some departments by that hub's table of short names lacks.
ALIASES = {
    "zfb": "[县府办]",
    "xwxcb": "[县委宣传部]",
    "sthj": "[县环保局, 县生态环境局]",
    "gdj": "[县供电局]",
    "zls": "[县水务公司]",
}


def _source_yaml(source: DemoSource, base: str) -> str:
    lines = [f"  - id: {source.id}", f"    name: {source.name}", f"    group: {source.group}"]
    if source.id in TAGS:
        lines.append(f"    tags: {TAGS[source.id]}")
    if source.id in ALIASES:
        lines.append(f"    aliases: {ALIASES[source.id]}")
    if source.shape in ("rss", "atom"):
        lines.append(f"    feed: {base}{render.feed_path(source)}")
    else:
        selectors = TRS if source.shape == "trs" else HANWEB
        lines.append("    page:")
        lines.append(f"      url: {base}{render.list_path(source)}")
        lines += [f"      {key}: {value}" for key, value in selectors.items()]
    return "\n".join(lines)


def _catalogue_yaml(base: str) -> str:
    return f"""\
  - id: zwfw
    name: {COUNTY}政务服务事项目录
    group: 政务服务
    kind: services        # its items are services, listed on /banshi/, never routed
    page:
      url: {base}{catalogue.list_path()}
      item: table.sx tbody tr
      title: td.sxmc a
      link: td.sxmc a
      department: td.ssbm   # each service's department, as the catalogue names it
      topic: td.zt
      more: list_{{page}}.html
      backfill: 50        # every page of the catalogue is read at each crawl"""


def channels_yaml(
    world_url: str = f"http://127.0.0.1:{WORLD_PORT}",
    portal_url: str = f"http://127.0.0.1:{PORTAL_PORT}/",
) -> str:
    """The demo's channels.yaml, for a world served at `world_url`."""
    sources = "\n".join(_source_yaml(s, world_url) for s in SOURCES)
    themes = "\n".join(
        f"    - {{name: {name}, slug: {slug}, words: [{words}]}}"
        for name, slug, words in catalogue.THEMES
    )
    channels = []
    for slug, title, description, include, exclude in CHANNELS:
        block = [
            f"  - slug: {slug}",
            f"    title: {title}",
            f"    description: {description}",
            f"    include: {include}",
        ]
        if exclude:
            block.append(f"    exclude: {exclude}")
        block += [f"    {line}" for line in EXTRA.get(slug, ())]
        channels.append("\n".join(block))
    return f"""\
# channels.yaml: the sources hub crawls and the sections it publishes them in.
# This file describes the simulated {COUNTY} that `hub demo` serves on 127.0.0.1;
# docs/channels.md explains every key. Written by hub.demo.config (the tests keep the
# repository's copy identical to it); a copy that `hub demo` writes for you is yours to edit.

site:
  title: {COUNTY}政务信息聚合平台（演示）
  base_url: {portal_url}
  description: 汇集{COUNTY}各镇（街道）、各部门发布的政务信息。
  timezone: Asia/Shanghai
  per_page: 20
  # what a government site states on every page (fictional numbers: the demo county's)
  organizer: {COUNTY}人民政府办公室
  site_code: "9999000001"        # 网站标识码
  icp: 示ICP备00000001号
  police: 示公网安备 99990002000001号   # linked to its record at beian.mps.gov.cn
  contact: 0000-12345678
  footer:                        # the county's own wording, line by line
    - 本平台汇集{COUNTY}各镇（街道）、各部门发布的信息，原文版权归发布单位所有。
    - "{COUNTY}融媒体中心承办　纠错与建议：0000-12345678"
  # the 党政机关 mark and the 我为政府网站找错 entry: a county links its own records and
  # may show their images (image: static/marks/dzjg.png, in its templates/ folder)
  party_mark: {{link: "https://bszs.conac.cn/", text: 党政机关}}
  error_report: {{link: "https://zfwzzc.www.gov.cn/", text: 我为政府网站找错}}
  lead_sections: [shizheng]      # the home page's 头条, unless the editors chose one
  notices: tongzhi               # the 通知公告 block under it

fetch:
  allow_private: true     # the demo county lives on 127.0.0.1; keep false for real sources
  timeout: 10s
  max_bytes: 5MB
  concurrency: 16
  per_host: 8             # every demo source shares one host
  every: {DEMO_EVERY}               # poll each source this often; a source may set its own
  delay: 0s               # no pause between requests to one host: it is our own

schedule:
  tick: 30s               # look for due sources this often
  publish_every: 30s      # and publish at most this often when something is new

audit:                    # hub audit and the /sources/ page
  dormant_days: 14        # no post for longer: dormant (the inspection rule)
  low_activity: 4         # fewer posts in 90 days: low activity

search:                   # docs/search.md
  # words that name one body alike, besides hub's own table of short names (卫健局…)
  synonyms:
    - [县医院, 县人民医院]

attachments:              # 附件: read for search, a copy kept with the portal (docs/attachments.md)
  per_run: 500            # downloads a crawl may start (the demo's first crawl reads them all)
  max_bytes: 30MB         # a larger file is neither read nor kept
  budget: 5GB             # the copies' total size

checks:                   # content checks before publishing (docs/checks.md)
  lists:                  # the county's own lists, beside this file
    - file: checks/typos.txt
      kind: typo
    - file: checks/sensitive.txt
      kind: sensitive
  protected: checks/protected.txt   # names (fictional here), titles, formulations
  hold: serious           # serious findings hold a post for a reviewer

# 办事服务: the county's service catalogue (a `kind: services` source below), on the
# portal's /banshi/ pages by theme and by department; a service is in each theme whose
# name, or one of whose words, its name (or the catalogue's topic of it) contains
services:
  title: 办事服务
  themes:
{themes}

sources:
{sources}
{_catalogue_yaml(world_url)}

channels:
{chr(10).join(channels)}
  - slug: qita
    title: 其他信息
    description: 未归入以上栏目的信息。
    fallback: true
    nav: more

# overrides:   editors' decisions about single posts, kept across crawls (docs/channels.md)
#   - post: <the id at the end of the post's portal address, or its original URL>
#     pin: [shizheng]
#     note: 置顶至月底
"""


LISTS = "checks"  # the folder of the demo's lists, beside its channels.yaml


def write_config(path: Path, text: str) -> Path:
    """The demo's channels.yaml (`text`, as `channels_yaml` gives it, perhaps edited) at
    `path`, and the word lists it names (`hub.demo.lists`) in a `checks` folder beside
    it; a list already there is kept (it may be edited). Returns `path`."""
    path.write_text(text, encoding="utf-8")
    target = path.parent / LISTS
    target.mkdir(exist_ok=True)
    for item in files("hub.demo.lists").iterdir():
        kept = target / item.name
        if item.name.endswith(".txt") and not kept.exists():
            kept.write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
    return path
