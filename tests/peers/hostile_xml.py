"""XML that a hardened parser must refuse: entity expansion, external entities, a DTD."""

from __future__ import annotations

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<IATA_AIDX_FlightLegNotifRQ Version="16.1"><FlightLeg>&lol3;</FlightLeg></IATA_AIDX_FlightLegNotifRQ>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<IATA_AIDX_FlightLegNotifRQ Version="16.1"><FlightLeg>&x;</FlightLeg></IATA_AIDX_FlightLegNotifRQ>"""
PLAIN_DTD = b"""<?xml version="1.0"?><!DOCTYPE IATA_AIDX_FlightLegNotifRQ SYSTEM "http://example.invalid/aidx.dtd">
<IATA_AIDX_FlightLegNotifRQ Version="16.1"/>"""
