#!/usr/bin/python3
"""Ask the X window titled TITLE to close the way a window manager does (WM_DELETE_WINDOW), then print
its map state before and after: `IsViewable -> IsUnMapped` means the app hid it instead of quitting.

    /usr/bin/python3 tests/desktop/wm-close.py "Enkrypt Secure MCP Gateway"

Used by the desktop E2E under Xvfb, where no window manager (and so no close button) exists.
Needs apt python3-xlib (for the system python3, hence /usr/bin/python3).
"""
import sys
import time

from Xlib import X, display, error, protocol

STATES = {X.IsUnmapped: "IsUnMapped", X.IsUnviewable: "IsUnviewable", X.IsViewable: "IsViewable"}


def find(window, title):
    try:
        if window.get_wm_name() == title:
            return window
        children = window.query_tree().children
    except error.XError:
        return None
    for child in children:
        found = find(child, title)
        if found is not None:
            return found
    return None


def state(window):
    try:
        return STATES.get(window.get_attributes().map_state, "unknown")
    except error.XError:
        return "destroyed"


def main():
    title = sys.argv[1]
    d = display.Display()
    window = find(d.screen().root, title)
    if window is None:
        print("no window")
        return 1
    before = state(window)
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    event = protocol.event.ClientMessage(
        window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
    )
    window.send_event(event, event_mask=X.NoEventMask)
    d.flush()
    after = before
    for _ in range(40):
        time.sleep(0.05)
        after = state(window)
        if after != before:
            break
    print(f"{before} -> {after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
