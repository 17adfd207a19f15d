"""A minimal text PDF (Helvetica, one page per 50 lines), so tests ingest a real PDF without a PDF library that
writes them. Enough of the format for pypdf's text extraction: catalog, pages, font, content streams, xref."""

from __future__ import annotations

import textwrap

LINES_PER_PAGE = 50


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(text: str, width: int = 95) -> bytes:
    lines = [wrapped for paragraph in text.splitlines() for wrapped in (textwrap.wrap(paragraph, width) or [""])]
    ascii_lines = [line.encode("latin-1", "replace").decode("latin-1") for line in lines]
    pages = [ascii_lines[i : i + LINES_PER_PAGE] for i in range(0, len(ascii_lines), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_ref = 3 + 2 * len(pages)
    for i, page in enumerate(pages):
        content = "BT /F1 10 Tf 12 TL 40 800 Td " + " ".join(f"({_escape(line)}) Tj T*" for line in page) + " ET"
        stream = content.encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font_ref} 0 R >> >> "
            f"/Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
