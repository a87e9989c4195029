"""Looks of the kiosk: one stylesheet, in a normal and a large-text/high-contrast variant.

Sizes are in pixels for a portrait 1080x1920 touchscreen viewed from about 60 cm; the large variant
scales every text by LARGE_TEXT_SCALE and switches to white-on-black with yellow accents.
"""

from __future__ import annotations

from dataclasses import dataclass

LARGE_TEXT_SCALE = 1.4
FONT_FAMILIES = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Noto Sans", "DejaVu Sans", sans-serif'


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    accent: str
    accent_text: str
    bar: str
    bar_text: str
    border: str
    online: str
    waiting: str
    offline: str
    danger: str
    star: str


NORMAL = Palette(
    background="#eef2f7",
    surface="#ffffff",
    text="#14213d",
    muted="#4a5568",
    accent="#0b5cad",
    accent_text="#ffffff",
    bar="#0d2a4f",
    bar_text="#ffffff",
    border="#c9d3e0",
    online="#1f9d55",
    waiting="#e0a800",
    offline="#c53030",
    danger="#c53030",
    star="#e0a800",
)

HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#000000",
    text="#ffffff",
    muted="#ffffff",
    accent="#ffd400",
    accent_text="#000000",
    bar="#000000",
    bar_text="#ffffff",
    border="#ffd400",
    online="#4cff4c",
    waiting="#ffd400",
    offline="#ff6b6b",
    danger="#d40000",
    star="#ffd400",
)


@dataclass(frozen=True)
class Sizes:
    body: int
    small: int
    title: int
    greeting: int
    clock: int
    tile_title: int
    tile_detail: int
    button: int

    def scaled(self, factor: float) -> Sizes:
        return Sizes(*(round(value * factor) for value in vars(self).values()))


BASE_SIZES = Sizes(body=28, small=24, title=44, greeting=56, clock=52, tile_title=40, tile_detail=26, button=28)


def sizes(large_text: bool) -> Sizes:
    return BASE_SIZES.scaled(LARGE_TEXT_SCALE) if large_text else BASE_SIZES


def stylesheet(large_text: bool) -> str:
    p = HIGH_CONTRAST if large_text else NORMAL
    s = sizes(large_text)
    border = 4 if large_text else 2
    return f"""
    QWidget {{ font-family: {FONT_FAMILIES}; font-size: {s.body}px; color: {p.text}; }}
    #KioskWindow, #Screen {{ background: {p.background}; }}
    #TopBar {{ background: {p.bar}; }}
    #TopBar QLabel {{ color: {p.bar_text}; background: transparent; }}
    #Clock {{ font-size: {s.clock}px; font-weight: 600; }}
    #ClockDate {{ font-size: {s.small}px; }}
    #Site {{ font-size: {s.title}px; font-weight: 700; }}
    #Connection {{ font-size: {s.small}px; }}
    #ConnectionDot {{ border-radius: 9px; }}
    #ConnectionDot[state="online"] {{ background: {p.online}; }}
    #ConnectionDot[state="connecting"] {{ background: {p.waiting}; }}
    #ConnectionDot[state="offline"], #ConnectionDot[state="refused"] {{ background: {p.offline}; }}
    #Greeting {{ font-size: {s.greeting}px; font-weight: 700; }}
    #Greeting[compact="true"] {{ font-size: {s.title}px; }}
    #Hint, #Location {{ font-size: {s.small}px; color: {p.muted}; }}
    #ScreenTitle {{ font-size: {s.title}px; font-weight: 700; }}
    #BarButton {{
        font-size: {s.button}px; color: {p.bar_text}; background: transparent;
        border: {border}px solid {p.bar_text}; border-radius: 14px; padding: 10px 22px; min-height: 56px;
    }}
    #BarButton:checked {{ background: {p.accent}; color: {p.accent_text}; border-color: {p.accent}; }}
    #Tile {{
        background: {p.surface}; border: {border}px solid {p.border}; border-radius: 24px;
        min-height: 160px; text-align: left;
    }}
    #Tile[prominent="true"] {{ min-height: 220px; }}
    #Tile[prominent="true"][compact="true"] {{ min-height: 140px; }}
    #Tile:pressed {{ background: {p.accent}; }}
    #Tile[unavailable="true"] {{ border-style: dashed; }}
    #Tile[unavailable="true"] #TileTitle {{ color: {p.muted}; }}
    #TileTitle {{ font-size: {s.tile_title}px; font-weight: 700; color: {p.accent}; background: transparent; }}
    #TileDetail {{ font-size: {s.tile_detail}px; color: {p.muted}; background: transparent; }}
    #NavButton {{
        font-size: {s.button}px; font-weight: 600; color: {p.accent_text}; background: {p.accent};
        border: none; border-radius: 16px; padding: 14px 36px; min-height: 72px;
    }}
    #HangUpButton {{
        font-size: {s.button}px; font-weight: 700; color: #ffffff; background: {p.danger};
        border: none; border-radius: 40px; padding: 18px 72px; min-height: 80px;
    }}
    #StarButton {{
        font-size: {s.greeting + 24}px; color: {p.star}; background: transparent; border: none;
        min-width: 120px; min-height: 120px;
    }}
    #ChoiceButton {{
        font-size: {s.button}px; font-weight: 600; color: {p.accent}; background: {p.surface};
        border: {border}px solid {p.accent}; border-radius: 16px; padding: 14px 48px; min-height: 72px;
    }}
    #ChoiceButton:checked {{ color: {p.accent_text}; background: {p.accent}; }}
    #NavButton:disabled {{ background: transparent; color: {p.muted}; border: {border}px dashed {p.muted}; }}
    #AgentVideo {{ background: #000000; border-radius: 16px; color: #ffffff; }}
    #SelfView {{ background: #222222; border: 3px solid #ffffff; }}
    #InfoCard {{ background: {p.surface}; border: {border}px solid {p.border}; border-radius: 20px; }}
    #InfoTitle {{ font-size: {s.tile_title}px; font-weight: 700; color: {p.accent}; background: transparent; }}
    #InfoBody {{ font-size: {s.body}px; background: transparent; }}
    #WifiCode {{ font-size: {s.title}px; font-weight: 700; background: transparent; }}
    #PrintStatus {{
        font-size: {s.body}px; font-weight: 600; color: {p.accent_text}; background: {p.accent};
        border-radius: 16px; padding: 14px 24px;
    }}
    #PrintStatus[problem="true"] {{ color: {p.text}; background: {p.surface}; border: {border}px solid {p.danger}; }}
    """
