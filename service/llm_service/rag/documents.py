"""Text out of the files ingest accepts: Markdown (markdown-it-py), plain text, HTML (Beautiful Soup) and PDF
(pypdf). Each failure is one sentence naming the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import RagError

SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


@dataclass(frozen=True)
class Document:
    path: str  # as stored in the collection and shown as a source
    text: str


def kind_of(path: Path) -> str | None:
    return SUFFIXES.get(path.suffix.lower())


def _decoded(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RagError(f"{path} is not UTF-8 text (byte {exc.start}); convert it to UTF-8 or leave it out.") from None


_BLOCKS = ["p", "div", "section", "article", "li", "tr", "pre", "blockquote", "br", "table", "ul", "ol", "dd", "dt"]
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6", "title"]


def _html_text(html: str) -> str:
    """Text with a line per block element and inline markup (code, links, emphasis) kept inside its sentence."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "title"]):
        hidden.decompose()  # (a title repeats the page's first heading)
    for row in soup.find_all("tr"):
        row.replace_with(" | ".join(cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])) + "\n")
    for block in soup.find_all(_BLOCKS + _HEADINGS):
        block.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def _markdown_text(source: str) -> str:
    """Rendered and stripped of markup (link targets, emphasis marks), headings and code kept as text."""
    from markdown_it import MarkdownIt

    return _html_text(MarkdownIt("commonmark").enable("table").render(source))


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise RagError(f"{path} is an encrypted PDF; decrypt it first (e.g. qpdf --decrypt) or leave it out.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except RagError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise RagError(f"{path} could not be parsed as a PDF ({exc}); check the file or leave it out.") from None
    return "\n\n".join(page.strip() for page in pages if page.strip())


def load(path: Path, stored_as: str) -> Document:
    try:
        return _load(path, stored_as)
    except ImportError as exc:
        from .embeddings import INSTALL_HINT

        raise RagError(f"reading {path} needs {exc.name}; {INSTALL_HINT}.", status=503) from None


def _load(path: Path, stored_as: str) -> Document:
    kind = kind_of(path)
    if kind == "pdf":
        text = _pdf_text(path)
    elif kind == "html":
        text = _html_text(_decoded(path))
    elif kind == "markdown":
        text = _markdown_text(_decoded(path))
    elif kind == "text":
        text = _decoded(path)
    else:
        known = ", ".join(sorted(SUFFIXES))
        raise RagError(f"{path}: ingest reads {known} files; convert it or leave it out.")
    return Document(stored_as, text)
