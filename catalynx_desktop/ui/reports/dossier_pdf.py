"""A dossier as PDF through Qt's own printing: the HTML of export/dossier_html.py laid out by
QTextDocument on US Letter pages and painted onto a QPdfWriter (text stays text: searchable,
selectable, readable back by PDF tools), with a running footer and "page i of n".

The document is laid out for the writer itself (its 300 dpi), so point sizes print true; the
same painting onto a QImage gives page previews (the README's page image, tests).

Painting on a QPdfWriter or a QImage is allowed outside the GUI thread, so the window runs this
through asyncio.to_thread; it needs a QGuiApplication for fonts, which `gui_application()`
provides for the command line (offscreen when there is no display).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

RESOLUTION_DPI = 300
PAGE_SIZE = QPageSize.PageSizeId.Letter
MARGINS_MM = QMarginsF(16, 14, 16, 12)
FOOTER_PT = 7.5
FOOTER_GAP_MM = 4.0


def gui_application() -> QGuiApplication:
    """The running Qt application, or a new offscreen one (command line, tests)."""
    app = QGuiApplication.instance()
    if app is None:
        headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if headless and sys.platform.startswith("linux"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(sys.argv[:1])
    assert isinstance(app, QGuiApplication)
    return app


def _page_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(PAGE_SIZE), QPageLayout.Orientation.Portrait, MARGINS_MM, QPageLayout.Unit.Millimeter
    )


def _mm(value: float) -> float:
    return value / 25.4 * RESOLUTION_DPI


class _Pages:
    """The document laid out in page bodies of the printable area, less a footer band."""

    def __init__(self, html: str, device: QPagedPaintDevice | QImage) -> None:
        paint = _page_layout().paintRectPixels(RESOLUTION_DPI)
        self.width = float(paint.width())
        self.footer_height = _mm(FOOTER_GAP_MM) + FOOTER_PT / 72 * RESOLUTION_DPI * 1.6
        self.body_height = float(paint.height()) - self.footer_height
        self.document = QTextDocument()
        self.document.documentLayout().setPaintDevice(device)
        self.document.setDocumentMargin(0)
        self.document.setHtml(html)
        self.document.setPageSize(QSizeF(self.width, self.body_height))

    @property
    def count(self) -> int:
        return self.document.pageCount()

    def paint(self, painter: QPainter, index: int, footer: str) -> None:
        """Page `index` with the painter's origin at the top left of the printable area."""
        painter.save()
        painter.translate(0, -index * self.body_height)
        self.document.drawContents(painter, QRectF(0, index * self.body_height, self.width, self.body_height))
        painter.restore()
        font = QFont(self.document.defaultFont())
        font.setPointSizeF(FOOTER_PT)
        painter.setFont(font)
        painter.setPen(QColor("#777777"))
        band = QRectF(
            0, self.body_height + _mm(FOOTER_GAP_MM), self.width, self.footer_height - _mm(FOOTER_GAP_MM)
        )
        painter.drawLine(band.topLeft(), band.topRight())
        flags = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(band, int(flags | Qt.AlignmentFlag.AlignLeft), footer)
        painter.drawText(band, int(flags | Qt.AlignmentFlag.AlignRight), f"Page {index + 1} of {self.count}")


def _paint_all(pages: _Pages, painter: QPainter, footer: str, new_page: Callable[[], object]) -> None:
    for index in range(pages.count):
        if index:
            new_page()
        pages.paint(painter, index, footer)


def write_dossier_pdf(path: Path, html: str, title: str) -> int:
    """Write `html` as a PDF at `path` (replaced only when complete). Returns the page count.

    `title` is the PDF's document title and the running footer."""
    target = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        writer = QPdfWriter(temp)
        writer.setResolution(RESOLUTION_DPI)
        writer.setPageLayout(_page_layout())
        writer.setTitle(title)
        writer.setCreator("Catalynx Desktop")
        pages = _Pages(html, writer)
        painter = QPainter()
        if not painter.begin(writer):
            raise OSError(f"cannot write a PDF at {target}")
        try:
            _paint_all(pages, painter, title, writer.newPage)
        finally:
            painter.end()
        count = pages.count
        del writer  # flushes and closes the file
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count


def render_page_images(html: str, title: str, dpi: int = 110) -> list[QImage]:
    """Each page as an image of the whole sheet (white, margins included), scaled to `dpi`."""
    layout = _page_layout()
    full = layout.fullRectPixels(RESOLUTION_DPI)
    paint = layout.paintRectPixels(RESOLUTION_DPI)
    image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
    dots_per_meter = round(RESOLUTION_DPI / 0.0254)
    image.setDotsPerMeterX(dots_per_meter)
    image.setDotsPerMeterY(dots_per_meter)
    pages = _Pages(html, image)
    images = []
    for index in range(pages.count):
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.translate(paint.left(), paint.top())
        pages.paint(painter, index, title)
        painter.end()
        scale = dpi / RESOLUTION_DPI
        images.append(
            image.scaled(
                round(full.width() * scale),
                round(full.height() * scale),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
    return images
