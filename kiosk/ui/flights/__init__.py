"""The kiosk's Flights screen: the boards, search without typing Chinese, and one flight's details."""
