"""kiosk: the home-visit safety board beside a school's reception.

Layers (each may import only those below it):
    screens / cli / gateway  ->  services  ->  store  ->  domain
    devices (modem, PDU codec, simulator) stand alone and know nothing of visits.
"""

__version__ = "0.1.0"
