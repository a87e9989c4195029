"""The signage display's Qt views."""
