"""Video help, in the call: the agent large, the passenger small, what the agent sends beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from device.ui.text import Texts
from kiosk.ui.qr import qr_image

if TYPE_CHECKING:  # the message models load with the bus, after the first paint
    from bus.messages.call import Push

QR_SIZE_PX = 360
MAX_PUSHES_SHOWN = 3


class VideoView(QLabel):
    """Shows the latest frame, scaled to fit and keeping its aspect ratio; may carry a small inset view
    in its bottom-right corner (the passenger's self-view over the agent)."""

    INSET_MARGIN_PX = 16

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName=object_name, alignment=Qt.AlignmentFlag.AlignCenter)
        self.frames_shown = 0
        self.inset: QWidget | None = None
        self.setMinimumSize(QSize(160, 120))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.inset is not None:
            margin = self.INSET_MARGIN_PX
            self.inset.move(self.width() - self.inset.width() - margin, self.height() - self.inset.height() - margin)

    def show_frame(self, image: QImage) -> None:
        """Show ``image``; callers size it to this view already (see kiosk.ui.call.frames)."""
        self.frames_shown += 1
        self.setPixmap(QPixmap.fromImage(image))


class PushCard(QFrame):
    """One thing the agent sent: a note, a QR code, a flight."""

    def __init__(self, texts: Texts, push: Push, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="InfoCard")
        self.push = push
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 20)
        self.title = QLabel(objectName="InfoTitle", wordWrap=True)
        self.body = QLabel(objectName="InfoBody", wordWrap=True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)  # agent text is shown as typed, never as markup
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        layout.addWidget(self.image)
        layout.addWidget(self.body)
        if push.kind == "qr" and push.url:
            self.image.setPixmap(QPixmap.fromImage(qr_image(push.url, QR_SIZE_PX)))
            self.body.setText("\n".join(part for part in (push.text, push.url) if part))
        elif push.kind == "flight":
            data = push.data
            self.title.setText(
                texts("call.flight_card", number=str(data.get("number", "")), airport=str(data.get("airport", "")))
            )
            self.body.setText(
                texts(
                    "call.flight_details",
                    time=str(data.get("time", "")),
                    gate=str(data.get("gate", "—") or "—"),
                    status=str(data.get("status", "")),
                )
            )
        else:
            self.body.setText(push.text)
        self.image.setVisible(self.image.pixmap() is not None and not self.image.pixmap().isNull())
        self.title.setVisible(bool(self.title.text()))


class InCallScreen(QWidget):
    hang_up_requested = Signal()

    def __init__(self, texts: Texts, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._texts = texts
        self._agent_name = ""
        self._connected = False
        self.agent_label = QLabel(objectName="ScreenTitle", wordWrap=True)
        self.agent_video = VideoView("AgentVideo")
        self.agent_video.setMinimumHeight(600)
        self.self_view = VideoView("SelfView", self.agent_video)
        self.self_view.setFixedSize(QSize(240, 180))
        self.agent_video.inset = self.self_view
        self.pushed_title = QLabel(objectName="Hint")
        self.pushes = QVBoxLayout()
        self.pushes.setSpacing(16)
        self.hang_up = QPushButton(objectName="HangUpButton")
        self.hang_up.clicked.connect(self.hang_up_requested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 40)
        layout.setSpacing(20)
        layout.addWidget(self.agent_label)
        layout.addWidget(self.agent_video, 3)
        layout.addWidget(self.pushed_title)
        layout.addLayout(self.pushes)
        layout.addStretch(1)
        layout.addWidget(self.hang_up, 0, Qt.AlignmentFlag.AlignCenter)
        self.reset()

    def reset(self) -> None:
        """Ready for a new call: no agent, no frames, no pushes."""
        self._agent_name = ""
        self._connected = False
        self.agent_video.clear()
        self.agent_video.frames_shown = 0
        self.self_view.clear()
        while self.pushes.count():
            item = self.pushes.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.retranslate()

    def set_agent(self, name: str) -> None:
        self._agent_name = name
        self.retranslate()

    def set_connected(self) -> None:
        self._connected = True
        self.retranslate()

    def show_push(self, push: Push) -> PushCard:
        card = PushCard(self._texts, push)
        self.pushes.insertWidget(0, card)
        while self.pushes.count() > MAX_PUSHES_SHOWN:
            item = self.pushes.takeAt(self.pushes.count() - 1)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.pushed_title.setVisible(True)
        return card

    @property
    def push_cards(self) -> list[PushCard]:
        cards = [self.pushes.itemAt(i).widget() for i in range(self.pushes.count())]
        return [card for card in cards if isinstance(card, PushCard)]

    def retranslate(self) -> None:
        t = self._texts
        if self._connected and self._agent_name:
            self.agent_label.setText(t("call.agent", name=self._agent_name))
        else:
            self.agent_label.setText(t("call.connecting"))
        self.pushed_title.setText(t("call.pushed_title"))
        self.pushed_title.setVisible(bool(self.push_cards))
        self.hang_up.setText(t("call.hang_up"))
