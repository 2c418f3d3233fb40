"""meter_link: DL/T 645-2007 communication with local cost-control meters.

A library a technician's script can use alone (it never imports the counter program):

* :mod:`meter_link.dlt645` — the codec, bytes in and bytes out;
* :mod:`meter_link.client` — ``Dlt645Client`` over any pyserial URL;
* :mod:`meter_link.security` — the ``SecurityModule`` port and its SM4 stand-in;
* :mod:`meter_link.dispatch` — remote dispatch of a purchase, DOMAIN.md R7–R9;
* :mod:`meter_link.simulator` — simulated meters (R21) on TCP or a pty, with faults.
"""
