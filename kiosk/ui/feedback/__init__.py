"""The kiosk's "Suggestion or complaint": a form that becomes a case at central without a call."""
