"""The house typeface and colours of every PDF the app draws (report packets, export summaries).

`fonts()` registers, once per process, a TrueType family with wide Unicode coverage when the system has
one (names are not all Latin-1), or falls back to ReportLab's built-in Helvetica. Its embedded subsets,
and each subset's widths and ToUnicode map, are made once per process (`_compressed_subset`,
`_subset_tables`): the one place the app reaches into ReportLab's internals, kept because it pays
(bench/README.md, "The font subset cache"). The palette is the one both the packets and the export
summaries print in.
"""

import functools
import zlib
from pathlib import Path

from reportlab.lib import colors
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5b6470")
RULE = colors.HexColor("#c9ced6")
BAND = colors.HexColor("#1f3a5f")
TINT = colors.HexColor("#f1f3f6")  # label cells, table stripes

# A TrueType family with wide Unicode coverage when the system has one (names are not all Latin-1);
# ReportLab's built-in Helvetica otherwise.
_FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-BoldItalic.ttf",
    ),
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-BoldOblique.ttf",
    ),
)


@functools.lru_cache(maxsize=128)
def _compressed_subset(face, subset: tuple[int, ...]) -> tuple[bytes, int]:
    """(zlib-compressed font file, its uncompressed length) of the subset `subset` of `face`.

    A packet embeds a subset of each of its four faces; the subset is the printable ASCII range plus
    the few other characters the packet uses, so nearly every packet embeds the same subsets. Making
    and compressing one costs about 1 ms a face, so it is done once per process and subset (at most
    128 kept, a few MB). Same bytes as ReportLab writes itself (zlib's default level).
    """
    data = face.makeSubset(list(subset))
    return zlib.compress(data), len(data)


def _add_cached_subset_objects(face, doc, fontname, subset):
    """ReportLab's TTFontFace.addSubsetObjects (5.1), with the font file from `_compressed_subset`."""
    if not doc.compression:
        return type(face).addSubsetObjects(face, doc, fontname, subset)
    compressed, length = _compressed_subset(face, tuple(subset))
    font_file = pdfdoc.PDFStream(content=compressed)
    font_file.dictionary["Length1"] = length
    # A stream whose dictionary names its filter is written as it is (already compressed).
    font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])
    font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
    flags = (face.flags & ~ttfonts.FF_NONSYMBOLIC) | ttfonts.FF_SYMBOLIC
    descriptor = pdfdoc.PDFDictionary(
        {
            "Type": "/FontDescriptor",
            "Ascent": face.ascent,
            "CapHeight": face.capHeight,
            "Descent": face.descent,
            "Flags": flags,
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "FontName": pdfdoc.PDFName(fontname),
            "ItalicAngle": face.italicAngle,
            "StemV": face.stemV,
            "FontFile2": font_file_ref,
            "MissingWidth": face.defaultWidth,
        }
    )
    return doc.Reference(descriptor, "fontDescriptor:" + fontname)


class _Formatted(pdfdoc.PDFObject):
    """A PDF object already written out (its bytes do not depend on the document)."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document):
        return self.data


@functools.lru_cache(maxsize=512)
def _subset_tables(face, base_font_name, subset: tuple[int, ...]) -> tuple[bytes, bytes]:
    """(the Widths array as written in the PDF, the zlib-compressed ToUnicode CMap) of a subset.

    Per document ReportLab formats a few hundred widths and writes and compresses the map of every
    subset again (about 5% of a packet's CPU); they depend only on the face, the subset's name and
    its characters, so they are made once per process and subset. Same bytes as ReportLab writes.
    """
    widths = pdfdoc.PDFArray([face.getCharWidth(code) for code in subset]).format(None)
    cmap = ttfonts.makeToUnicodeCMap(base_font_name, list(subset))
    return widths, pdfdoc.PDFZCompress.encode(cmap)


def _add_cached_font_objects(font, doc):
    """ReportLab's TTFont.addObjects (5.1), with the widths and ToUnicode map from `_subset_tables`."""
    if not doc.compression:
        return type(font).addObjects(font, doc)
    try:
        state = font.state[doc]
    except KeyError:
        state = font.state[doc] = TTFont.State(font._asciiReadable)
    state.frozen = 1
    for n, subset in enumerate(state.subsets):
        internal_name = font.getSubsetInternalName(n, doc)[1:]
        base_font_name = b"".join((ttfonts.SUBSETN(n), b"+", font.face.name, font.face.subfontNameX)).decode(
            "pdfdoc"
        )
        widths, cmap = _subset_tables(font.face, base_font_name, tuple(subset))
        pdf_font = pdfdoc.PDFTrueTypeFont()
        pdf_font.__Comment__ = f"Font {font.fontName} subset {n}"
        pdf_font.Name = internal_name
        pdf_font.BaseFont = base_font_name
        pdf_font.FirstChar = 0
        pdf_font.LastChar = len(subset) - 1
        pdf_font.Widths = _Formatted(widths)
        cmap_stream = pdfdoc.PDFStream(content=cmap)
        cmap_stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])
        pdf_font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_font_name)
        pdf_font.FontDescriptor = font.face.addSubsetObjects(doc, base_font_name, subset)
        doc.Reference(pdf_font, internal_name)
        doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
    del font.state[doc]


def _packet_font(name, path) -> TTFont:
    """A TrueType font whose embedded subsets, widths and ToUnicode maps are made once per process
    (`_compressed_subset`, `_subset_tables`)."""
    font = TTFont(name, path)
    font.face.addSubsetObjects = functools.partial(_add_cached_subset_objects, font.face)
    font.addObjects = functools.partial(_add_cached_font_objects, font)
    return font


@functools.cache
def fonts() -> tuple[str, str, str]:
    """(regular, bold, italic) font names, registered once per process."""
    from reportlab.pdfbase.pdfmetrics import registerFontFamily

    for paths in _FONT_CANDIDATES:
        if all(Path(p).is_file() for p in paths):
            names = ("PacketSans", "PacketSans-Bold", "PacketSans-Italic", "PacketSans-BoldItalic")
            try:
                for name, path in zip(names, paths, strict=True):
                    pdfmetrics.registerFont(_packet_font(name, path))
            except Exception:  # noqa: S112 - an unreadable font file: try the next family
                continue
            registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])
            return names[0], names[1], names[2]
    return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"

