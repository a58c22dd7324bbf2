"""How the demo county's sites print their posts: RSS 2.0, Atom, and the list and article
pages of the two CMS families common on county portals (TRS WCM and Hanweb).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from html import escape

from hub.demo import files
from hub.demo.county import SOURCES, DemoSource
from hub.demo.phrases import COUNTY
from hub.demo.world import LOCAL, DemoPost

PER_PAGE = 20
FEED_ITEMS = 20
TRUNCATE = 18  # list pages cut long titles and keep the full one in a@title


def article_path(post: DemoPost) -> str:
    local = post.time.astimezone(LOCAL)
    sid = post.source.id
    if post.source.shape == "hanweb":
        return f"/{sid}/art/{local.year}/{local.month}/{local.day}/art_{post.num}.html"
    return f"/{sid}/{local:%Y%m}/t{local:%Y%m%d}_{post.num}.html"


def attachment_path(post: DemoPost) -> str:
    """Where the post's attachment is ('' when it has none: `files.kind`)."""
    ext = files.kind(post.topic, post.num)
    return f"/{post.source.id}/files/P0{post.num}.{ext}" if ext else ""


def list_path(source: DemoSource, page: int = 0) -> str:
    """page 0 is the first page."""
    if source.shape == "hanweb":
        return f"/{source.id}/col/index.html" + (f"?pageNum={page + 1}" if page else "")
    return f"/{source.id}/index.html" if page == 0 else f"/{source.id}/index_{page}.html"


def feed_path(source: DemoSource) -> str:
    return f"/{source.id}/{'atom' if source.shape == 'atom' else 'rss'}.xml"


def entry_path(source: DemoSource) -> str:
    """What the source's channels.yaml entry points at."""
    return list_path(source) if source.shape in ("trs", "hanweb") else feed_path(source)


def _body(post: DemoPost) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in post.paragraphs)


def rss(source: DemoSource, posts: Sequence[DemoPost], base: str) -> str:
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>{base}{article_path(p)}</link>"
        f'<guid isPermaLink="false">{source.id}-{p.num}</guid>'
        f"<pubDate>{format_datetime(p.time, usegmt=True)}</pubDate>"
        f"<author>{escape(source.name)}</author>"
        f"<description>{escape(_body(p))}</description></item>\n"
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(source.name)}</title><link>{base}/{source.id}/</link>"
        f"<description>{escape(source.name)}政务信息</description><language>zh-cn</language>\n"
        f"{items}</channel></rss>\n"
    )


def atom(source: DemoSource, posts: Sequence[DemoPost], base: str) -> str:
    updated = posts[0].time.isoformat() if posts else "2025-01-01T00:00:00+00:00"
    entries = "".join(
        f"<entry><title>{escape(p.title)}</title>"
        f'<link rel="alternate" href="{base}{article_path(p)}"/>'
        f"<id>tag:{source.id}.tongxi.example,2025:{p.num}</id>"
        f"<published>{p.time.astimezone(LOCAL).isoformat()}</published>"
        f"<updated>{p.time.astimezone(LOCAL).isoformat()}</updated>"
        f'<content type="html">{escape(_body(p))}</content></entry>\n'
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">'
        f"<title>{escape(source.name)}</title><id>{base}/{source.id}/</id>"
        f'<link rel="self" href="{base}{feed_path(source)}"/>'
        f"<updated>{updated}</updated><author><name>{escape(source.name)}</name></author>\n"
        f"{entries}</feed>\n"
    )


def _head(title: str, gbk: bool, meta: str = "") -> str:
    charset = (
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        if gbk
        else '<meta charset="utf-8">'
    )
    return (
        f"<!DOCTYPE html>\n<html><head>{charset}<title>{escape(title)}</title>{meta}"
        "<script>var _hmt = _hmt || [];</script></head>\n"
    )


def _chrome(source: DemoSource) -> str:
    return (
        f'<div class="header"><div class="logo">{escape(COUNTY)}{escape(source.name)}</div>'
        '<ul class="nav"><li><a href="./">首页</a></li><li><a href="#">机构概况</a></li>'
        '<li><a href="#">政务公开</a></li><li><a href="#">办事服务</a></li></ul></div>\n'
    )


def _footer(source: DemoSource) -> str:
    return (
        f'<div class="footer">主办单位：{escape(source.name)} 网站标识码：0000000000 '
        '<a href="javascript:window.print()">打印本页</a></div></body></html>\n'
    )


def _short(title: str) -> str:
    return title if len(title) <= TRUNCATE else title[:TRUNCATE] + "…"


def list_page(
    source: DemoSource,
    posts: Sequence[DemoPost],
    page: int,
    pages: int,
    pinned: DemoPost | None = None,
) -> str:
    """One page of a list; `pinned` sits on top of the first page, as 置顶 notices do."""
    top = pinned.num if pinned is not None and page == 0 else None
    if pinned is not None and top is not None:
        posts = [pinned, *(p for p in posts if p.num != top)]

    def mark(post: DemoPost) -> str:
        return '<em class="zd">[置顶]</em>' if post.num == top else ""

    if source.shape == "hanweb":
        rows = "".join(
            f'<tr><td class="bt">{mark(p)}<a href="{article_path(p)}" title="{escape(p.title)}" '
            f'target="_blank">{escape(_short(p.title))}</a></td>'
            f'<td class="rq">[{p.time.astimezone(LOCAL):%m-%d}]</td></tr>\n'
            for p in posts
        )
        listing = f'<table class="newslist" width="100%">\n{rows}</table>'
    else:
        rows = "".join(
            f'<li>{mark(p)}<a href="./{article_path(p).split("/", 2)[2]}" target="_blank" '
            f'title="{escape(p.title)}">{escape(_short(p.title))}</a>'
            f"<span>{p.time.astimezone(LOCAL):%Y-%m-%d}</span></li>\n"
            for p in posts
        )
        listing = f'<ul class="list">\n{rows}</ul>'
    nav = " ".join(f'<a href="{list_path(source, n)}">{n + 1}</a>' for n in range(pages))
    return (
        _head(f"工作动态_{source.name}", source.gbk)
        + "<body>"
        + _chrome(source)
        + f'<div class="main"><div class="column-title">工作动态</div>\n{listing}\n'
        f'<div class="page">共{pages}页 {nav}</div></div>\n' + _footer(source)
    )


def article_page(post: DemoPost) -> str:
    source = post.source
    local = post.time.astimezone(LOCAL)
    department = post.origin.name if post.origin else source.name
    names: tuple[str, ...] = ("ArticleTitle", "PubDate", "ContentSource")
    if source.shape == "hanweb":  # Hanweb sites print the same tags in lower case
        names = tuple(n.lower() for n in names)
    # Hanweb sites give the day alone, in the page and in its tags; TRS sites the minute
    day = f"{local:%Y-%m-%d}" if source.shape == "hanweb" else f"{local:%Y-%m-%d %H:%M}"
    values = (post.title, day, department)
    meta = "".join(
        f'<meta name="{n}" content="{escape(v)}">' for n, v in zip(names, values, strict=True)
    )
    if source.shape == "hanweb":
        info = (
            f'<div class="info">发布日期：{local:%Y年%m月%d日} 信息来源：{escape(department)}</div>'
        )
        body = f'<div id="zoom">{_body(post)}</div>'
    else:
        info = (
            f'<div class="info">发布时间：{local:%Y-%m-%d %H:%M} 来源：{escape(department)} '
            "【字号：大 中 小】【打印】【关闭】</div>"
        )
        body = f'<div class="TRS_Editor">{_body(post)}</div>'
    if ext := files.kind(post.topic, post.num):  # notices and job adverts come with files
        name = files.name(post.title, ext)
        body += (
            f'\n<div class="fj">附件：<a href="{attachment_path(post)}">{escape(name)}</a></div>'
        )
    return (
        _head(f"{post.title}_{source.name}", source.gbk, meta)
        + "<body>"
        + _chrome(source)
        + f'<div class="article"><h1>{escape(post.title)}</h1>\n{info}\n{body}\n'
        '<div class="share">分享到：微信 微博</div></div>\n' + _footer(source)
    )


def index_page(sources: Sequence[DemoSource], base: str, now: datetime) -> str:
    rows = "".join(
        f'<li><a href="{base}{entry_path(s)}">{escape(s.name)}</a> ({s.group}, {s.shape}'
        f"{', GBK' if s.gbk else ''}{', ' + s.status if s.status != 'ok' else ''})"
        f"{'' if s in SOURCES else ' ← 尚未接入：hub sources add 这个地址'}</li>\n"
        for s in sources
    )
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{COUNTY}（模拟）</title></head><body><h1>{COUNTY}各单位网站（模拟）</h1>"
        f"<p>模拟时间：{now.astimezone(LOCAL):%Y-%m-%d %H:%M}</p>"
        f"<ul>\n{rows}</ul></body></html>\n"
    )
