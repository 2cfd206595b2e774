"""Attack: uuid.getnode runs ifconfig/ip commands to read the MAC address

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import uuid


def run():
    return uuid.getnode()
