"""The name servers a test module runs against, from the environment:
``NAMESRV_ADDRS="v4=127.0.0.1:9876;v5=127.0.0.1:19876"`` (a bare address gets the label nsN)."""
import os


def parse(raw):
    """'label=addr;label=addr' -> [(label, addr), ...]."""
    out = []
    for i, item in enumerate(x.strip() for x in raw.split(';')):
        if not item:
            continue
        label, sep, addr = item.partition('=')
        if not sep:
            label, addr = 'ns%d' % i, item
        out.append((label.strip(), addr.strip()))
    return out


def from_env(var='NAMESRV_ADDRS', default='default=127.0.0.1:9876'):
    return parse(os.environ.get(var, '').strip() or default)
