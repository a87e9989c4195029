"""Video help, in the call: the agent large, the passenger small, what the agent sends beside them.

Portrait: the agent's picture over the pushes; landscape: side by side. The picture takes the room the
pushes leave, and the Hang up button stays at the bottom whatever the agent sends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOption,
    QVBoxLayout,
    QWidget,
)

from device.ui.text import Texts
from device.ui.widgets import ElidedLabel
from kiosk.ui.call.pushes import MAX_PUSHES_SHOWN, PushCard, PushPanel
from kiosk.ui.widgets import label

if TYPE_CHECKING:  # the message models load with the bus, after the first paint
    from bus.messages.call import Push

__all__ = ["MAX_PUSHES_SHOWN", "InCallScreen", "PushCard", "VideoView"]

VIDEO_STRETCH = 3
PUSHES_STRETCH = 2
KEYPAD_VIDEO_STRETCH = 1  # while a case card's keypad is up
KEYPAD_PUSHES_STRETCH = 5
SELF_VIEW_MAX = QSize(240, 180)
CORNER_RADIUS_PX = 16  # #AgentVideo's border-radius in kiosk/ui/theme.py
SELF_VIEW_SHARE = 0.3  # of the agent's view: the passenger's own picture must never hide the agent's face


class VideoView(QWidget):
    """Shows the latest frame, scaled to fit and keeping its aspect ratio; may carry a small inset view
    in its bottom-right corner (the passenger's self-view over the agent).

    The image is drawn straight from the QImage, stretched by the painter without smoothing when it is
    smaller than the view: no QPixmap copy per frame, and no filtered rescale on the UI thread (a small
    kiosk cannot spare either 30 times a second; at a kiosk's viewing distance the difference is not seen).

    While it shows a picture the view is opaque (``WA_OpaquePaintEvent``): it paints every pixel itself
    (the picture, black bars beside it, its rounded corners in the colour of the screen behind), so a new
    frame repaints this view alone, not the screen and window under it; and a frame never changes its
    size hint, so it never makes the window lay itself out again (a QLabel's ``setPixmap`` did both, 30
    times a second). Without a picture it is drawn by the style sheet like any other widget.
    """

    INSET_MARGIN_PX = 16

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.frames_shown = 0
        self.inset: QWidget | None = None
        self._image: QImage | None = None
        self._corners: QPixmap | None = None  # the four rounded corners, made once per size and colour
        self.setMinimumSize(QSize(160, 120))
        # a picture never asks for room: it is drawn at the size the layout gives the view
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._corners = None
        if self.inset is not None:
            size = SELF_VIEW_MAX.scaled(
                QSize(round(self.width() * SELF_VIEW_SHARE), round(self.height() * SELF_VIEW_SHARE)),
                Qt.AspectRatioMode.KeepAspectRatio,
            )
            self.inset.setFixedSize(size.boundedTo(SELF_VIEW_MAX))
            margin = self.INSET_MARGIN_PX
            self.inset.move(self.width() - self.inset.width() - margin, self.height() - self.inset.height() - margin)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self._corners = None  # high contrast or larger text: another screen colour behind the corners

    def show_frame(self, image: QImage) -> None:
        """Show ``image``; callers size it to this view, or smaller (see kiosk.ui.call.frames)."""
        self.frames_shown += 1
        if self._image is None:
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        before = self.picture_rect()
        self._image = image
        after = self.picture_rect()
        # the same place as the last picture (the usual case): only the picture is painted again, the bars
        # and corners around it stay as they are (a quarter of a portrait view's pixels, 30 times a second)
        if after == before:
            self.update(after)
        else:
            self.update()

    @property
    def image(self) -> QImage | None:
        """The picture shown now."""
        return self._image

    def clear(self) -> None:
        self._image = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self.update()

    def picture_rect(self) -> QRect:
        """Where the picture is drawn: as large as fits, its shape kept, centred."""
        if self._image is None:
            return QRect()
        size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left, top = (self.width() - size.width()) // 2, (self.height() - size.height()) // 2
        return QRect(left, top, size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._image is None:
            option = QStyleOption()
            option.initFrom(self)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
            painter.end()
            return
        picture = self.picture_rect()
        bars = self.palette().color(QPalette.ColorRole.Window)  # the style sheet's background of this view
        width, height = self.width(), self.height()
        for bar in (  # above, below, left and right of the centred picture (two of them empty)
            QRect(0, 0, width, picture.top()),
            QRect(0, picture.bottom() + 1, width, height - picture.bottom() - 1),
            QRect(0, picture.top(), picture.left(), picture.height()),
            QRect(picture.right() + 1, picture.top(), width - picture.right() - 1, picture.height()),
        ):
            if not bar.isEmpty():
                painter.fillRect(bar, bars)
        painter.drawImage(picture, self._image)
        radius = self._corner_radius()
        if radius:
            corners = self._corner_pixmap(radius)
            right, bottom = self.width() - radius, self.height() - radius
            for x, y in ((0, 0), (right, 0), (0, bottom), (right, bottom)):
                sx, sy = (0 if x == 0 else radius), (0 if y == 0 else radius)
                painter.drawPixmap(x, y, corners, sx, sy, radius, radius)
        painter.end()

    def _corner_radius(self) -> int:
        """The style sheet's corner radius of this view (the agent's has one, the self-view none)."""
        return CORNER_RADIUS_PX if self.objectName() == "AgentVideo" else 0

    def _corner_pixmap(self, radius: int) -> QPixmap:
        """A 2r x 2r square: the screen's colour outside a circle of radius r, transparent inside."""
        if self._corners is None:
            behind = self.parentWidget() or self
            colour = behind.palette().color(QPalette.ColorRole.Window)
            corners = QPixmap(2 * radius, 2 * radius)
            corners.fill(colour)
            painter = QPainter(corners)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
            painter.setBrush(Qt.GlobalColor.black)  # any opaque brush: Clear makes what it covers transparent
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(0, 0, 2 * radius, 2 * radius)
            painter.end()
            self._corners = corners
        return self._corners


class InCallScreen(QWidget):
    hang_up_requested = Signal()
    print_requested = Signal(object)  # the PushCard of a ``print`` push: print it and say how it went

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._agent_name = ""
        self._connected = False
        # "You are talking to" on one line, the agent's name (from outside, any length) on its own line
        # and elided to the width: it never wraps with a character left alone on a line
        self.agent_intro = label("Hint", wrap=True)
        self.agent_name = ElidedLabel()
        self.agent_name.setObjectName("ScreenTitle")
        self.agent_video = VideoView("AgentVideo")
        self.self_view = VideoView("SelfView", self.agent_video)
        self.self_view.setFixedSize(SELF_VIEW_MAX)
        self.agent_video.inset = self.self_view
        self.push_panel = PushPanel(texts)
        self.push_panel.print_requested.connect(self.print_requested)  # a case card's Print
        self.push_panel.keypad_shown.connect(self._make_room_for_keypad)
        self.hang_up = QPushButton()
        self.hang_up.setObjectName("HangUpButton")
        self.hang_up.clicked.connect(self.hang_up_requested)

        self._stage = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._stage.setSpacing(20)
        self._stage.addWidget(self.agent_video, VIDEO_STRETCH)
        self._stage.addWidget(self.push_panel, PUSHES_STRETCH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.setSpacing(16)
        layout.addWidget(self.agent_intro)
        layout.addWidget(self.agent_name)
        layout.addLayout(self._stage, 1)
        layout.addWidget(self.hang_up, 0, Qt.AlignmentFlag.AlignCenter)
        self.reset()

    def set_landscape(self, landscape: bool) -> None:
        self._stage.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def _make_room_for_keypad(self, shown: bool) -> None:
        """While a passenger types a callback number the agent's picture gives way to the keypad, so that its
        keys and Send stay in view without scrolling (as a phone's call screen makes room for its keyboard)."""
        video, pushes = (KEYPAD_VIDEO_STRETCH, KEYPAD_PUSHES_STRETCH) if shown else (VIDEO_STRETCH, PUSHES_STRETCH)
        self._stage.setStretch(0, video)
        self._stage.setStretch(1, pushes)

    def reset(self) -> None:
        """Ready for a new call: no agent, no frames, no pushes."""
        self._make_room_for_keypad(False)
        self._agent_name = ""
        self._connected = False
        self.agent_video.clear()
        self.agent_video.frames_shown = 0
        self.self_view.clear()
        self.push_panel.clear()
        self.retranslate()

    def set_agent(self, name: str) -> None:
        self._agent_name = name
        self.retranslate()

    def set_connected(self) -> None:
        self._connected = True
        self.retranslate()

    def show_push(self, push: Push) -> PushCard:
        card = self.push_panel.add(push)
        if card.print_status is not None:
            self.print_requested.emit(card)
        return card

    @property
    def push_cards(self) -> list[PushCard]:
        return self.push_panel.cards

    @property
    def agent_label(self) -> QLabel:
        """The label with the agent's name."""
        return self.agent_name

    @property
    def pushed_title(self) -> QLabel:
        return self.push_panel.title

    def retranslate(self) -> None:
        t = self._texts
        connected = self._connected and bool(self._agent_name)
        self.agent_intro.setText(t("call.talking_to") if connected else t("call.connecting"))
        self.agent_name.setText(self._agent_name)
        self.agent_name.setVisible(bool(self._agent_name))
        self.push_panel.retranslate()
        self.hang_up.setText(t("call.hang_up"))
