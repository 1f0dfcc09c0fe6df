"""kiosk: the home-visit safety board beside a school's reception.

Layers (each may import only those below it; tests/test_layers.py holds them):
    cli  ->  app  ->  screens / gateway  ->  widgets / ops  ->  services  ->  store  ->  domain
    devices (modem driver, PDU codec) know nothing of visits; simulator (a tool) stands on devices.
"""

__version__ = "0.1.0"
