"""The Flights screen's looks, added to the kiosk's stylesheet (kiosk.ui.theme) in both variants."""

from __future__ import annotations

from kiosk.ui.theme import HIGH_CONTRAST, NORMAL, sizes

ROW_HEIGHT_EM = 2.6  # a row is this many body-text heights: a large target, and room between two rows


def row_height_px(large_text: bool) -> int:
    return round(sizes(large_text).body * ROW_HEIGHT_EM)


def flights_stylesheet(large_text: bool) -> str:
    p = HIGH_CONTRAST if large_text else NORMAL
    s = sizes(large_text)
    border = 4 if large_text else 2
    stripe = "#1a1a1a" if large_text else "#f3f6fa"
    return f"""
    #FlightList {{
        background: {p.surface}; alternate-background-color: {stripe}; color: {p.text};
        font-size: {s.body}px; border: {border}px solid {p.border}; border-radius: 12px;
    }}
    #FlightList QHeaderView::section {{
        background: {p.bar}; color: {p.bar_text}; font-size: {s.small}px; font-weight: 600;
        border: none; padding: 10px 8px;
    }}
    #FlightList QScrollBar:vertical {{ width: 40px; background: {p.background}; }}
    #FlightList QScrollBar::handle:vertical {{ background: {p.accent}; border-radius: 12px; min-height: 80px; }}
    #FlightList QScrollBar::add-line, #FlightList QScrollBar::sub-line {{ height: 0; }}
    #KeyButton, #WideKeyButton {{
        font-size: {s.button}px; font-weight: 700; color: {p.text}; background: {p.surface};
        border: {border}px solid {p.border}; border-radius: 12px; padding: 0; min-height: 64px; min-width: 40px;
    }}
    #KeyButton:pressed, #WideKeyButton:pressed {{ background: {p.accent}; color: {p.accent_text}; }}
    #WideKeyButton {{ color: {p.accent}; }}
    #CityButton {{
        font-size: {s.button}px; font-weight: 600; color: {p.accent}; background: {p.surface};
        border: {border}px solid {p.accent}; border-radius: 16px; padding: 0 8px; min-height: 72px;
    }}
    #CityButton:pressed {{ color: {p.accent_text}; background: {p.accent}; }}
    #SearchQuery {{
        font-size: {s.title}px; font-weight: 700; background: {p.surface}; color: {p.text};
        border: {border}px solid {p.accent}; border-radius: 16px; padding: 8px 20px;
    }}
    #SearchQuery[placeholder="true"] {{ color: {p.muted}; font-weight: 400; font-size: {s.body}px; }}
    #FreshnessBanner {{
        font-size: {s.body}px; font-weight: 700; color: {p.text}; background: {p.surface};
        border: {border + 2}px solid {p.danger}; border-radius: 12px; padding: 12px 20px;
    }}
    #EmptyState {{ font-size: {s.title}px; color: {p.muted}; }}
    #StatusPill {{ font-size: {s.body}px; font-weight: 700; border-radius: 12px; padding: 8px 20px; }}
    #FactValue {{ font-size: {s.body}px; font-weight: 700; background: transparent; }}
    """
