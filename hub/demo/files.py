"""The demo county's attachments as real files, made from a post on request: a job
advert's 岗位表 as XLSX, a notice's 报名表 as DOCX, and every third notice's 名单 as PDF.
Deterministic: the same post gives the same text and the same bytes. Standard library
only (the demo serves what any department's CMS would)."""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from xml.sax.saxutils import escape

# (岗位名称, 专业要求): what a job advert's table lists, and nothing else in the county says
POSITIONS = (
    ("乡村振兴专干", "农学"),
    ("社区网格员", "不限"),
    ("临床医师", "临床医学"),
    ("财务会计", "会计学"),
    ("水利技术员", "水利水电工程"),
    ("幼儿教师", "学前教育"),
    ("电商运营专员", "电子商务"),
    ("文物保护员", "考古学"),
    ("林业技术员", "林学"),
    ("护理人员", "护理学"),
    ("食品检验员", "食品科学与工程"),
    ("污水处理操作工", "环境工程"),
)
DEGREES = ("大专及以上", "本科及以上", "硕士研究生及以上")
# the people a notice's 名单 names (made-up names, as a 公示 lists them)
NAMES = (
    "赵德明", "钱秀英", "孙建华", "李桂兰", "周志强", "吴丽萍", "郑国庆", "王淑珍",
    "冯海涛", "陈玉梅", "褚卫东", "卫红霞", "蒋文斌", "沈雪莲", "韩立新", "杨春燕",
)  # fmt: skip
UNITS = ("县人民医院", "县第一中学", "城关街道", "白沙镇中心学校", "县自来水公司", "石门镇卫生院")
FORM_FIELDS = ("姓名", "性别", "出生年月", "身份证号码", "户籍所在地", "最高学历", "联系电话")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def kind(topic: str, num: int) -> str:
    """Which file a post of this topic carries: xlsx, docx, pdf, or '' for none."""
    if topic == "yiye":
        return "xlsx"
    if topic == "tongzhi":
        return "pdf" if num % 3 == 0 else "docx"
    return ""


def name(title: str, ext: str) -> str:
    what = {"xlsx": "岗位信息表", "docx": "报名表", "pdf": "名单"}[ext]
    return f"附件1：{title[:12]}{what}.{ext}"


def lines(title: str, ext: str, num: int) -> list[str]:
    """The text inside the file, line by line."""
    rng = random.Random(num)
    if ext == "xlsx":
        rows = ["岗位代码\t岗位名称\t招聘人数\t学历要求\t专业要求"]
        for n, (job, major) in enumerate(rng.sample(POSITIONS, 3), start=1):
            rows.append(f"A{n:02d}\t{job}\t{rng.randint(1, 5)}\t{rng.choice(DEGREES)}\t{major}")
        return rows
    if ext == "docx":
        contact = rng.choice(NAMES)
        return [
            f"{title}报名表",
            *(f"{field}：" for field in FORM_FIELDS),
            "报名须知：报名表须如实填写，一式两份，并附身份证复印件。",
            f"联系人：{contact}",
        ]
    people = rng.sample(NAMES, 4)
    return [
        f"{title}名单",
        "序号\t姓名\t工作单位",
        *(f"{n}\t{person}\t{rng.choice(UNITS)}" for n, person in enumerate(people, start=1)),
    ]


def content(title: str, ext: str, num: int) -> tuple[bytes, str]:
    """The file's bytes and media type."""
    text = lines(title, ext, num)
    if ext == "xlsx":
        return xlsx([line.split("\t") for line in text]), XLSX
    if ext == "docx":
        return docx(text), DOCX
    return pdf(text), PDF


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, xml in parts.items():
            archive.writestr(zipfile.ZipInfo(part, (2026, 1, 1, 0, 0, 0)), xml)
    return buffer.getvalue()


_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlforma'
    'ts.org/officeDocument/2006/relationships/officeDocument" Target="{}"/></Relationships>'
)
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/pack'
    'age/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlfor'
    'mats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    "{}</Types>"
)


def docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    main = ".document.main+xml"
    return _zip(
        {
            "[Content_Types].xml": _TYPES.format(
                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxml'
                f'formats-officedocument.wordprocessingml{main}"/>'
            ),
            "_rels/.rels": _RELS.format("word/document.xml"),
            "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
            f'"{ns}"><w:body>{body}</w:body></w:document>',
        }
    )


def xlsx(rows: list[list[str]]) -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    cells = "".join(
        f'<row r="{r}">'
        + "".join(f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>' for value in row)
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    book_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    return _zip(
        {
            "[Content_Types].xml": _TYPES.format(
                f'<Override PartName="/xl/workbook.xml" ContentType="{book_type}"/>'
                f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}"/>'
            ),
            "_rels/.rels": _RELS.format("xl/workbook.xml"),
            "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" '
            f'xmlns:r="{rel}"><sheets><sheet name="岗位表" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
            "xl/_rels/workbook.xml.rels": _RELS.replace(
                "relationships/officeDocument", "relationships/worksheet"
            ).format("worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet '
            f'xmlns="{ns}"><sheetData>{cells}</sheetData></worksheet>',
        }
    )


def pdf(text: list[str]) -> bytes:
    """One A4 page in the standard Chinese font STSong-Light (not embedded: every PDF
    reader has it), each character coded as UCS-2, with a ToUnicode map for extraction."""
    shown = "".join(
        f"<{line.replace(chr(9), '  ').encode('utf-16-be').hex()}> Tj T* " for line in text
    )
    stream = f"BT /F1 12 Tf 72 770 Td 20 TL {shown}ET".encode()
    ranges = "\n".join(
        f"<{n:02X}00> <{n:02X}FF> <{n:02X}00>" for n in range(256) if n < 0xD8 or n > 0xDF
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /UCS2 def "
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{ranges.count(chr(10)) + 1} beginbfrange\n{ranges}\nendbfrange endcmap "
        "CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 8 0 R >>",
        _stream(stream),
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        _stream(cmap),
    ]
    return assemble(objects)


def assemble(objects: list[bytes]) -> bytes:
    """A PDF of these objects (1 is the catalog), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data)
    return (
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    )
