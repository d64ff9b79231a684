# -*- coding: utf-8 -*-
"""RocketMQ client: the rocketmq-client-python 2.0.0 API (``rocketmq.client``,
``rocketmq.exceptions``, ``rocketmq.consts``) and more, over the native library inside this
package. ``import rocketmq`` alone does not load the library; importing ``rocketmq.client`` does."""

__version__ = '2.1.0'


def library_path() -> str:
    """The absolute path of the native library this package loaded (always its own copy)."""
    from . import ffi
    return ffi._DYLIB_PATH
