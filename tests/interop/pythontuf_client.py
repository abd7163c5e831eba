#!/usr/bin/env python3
"""pythontuf_client.py - python-tuf's ngclient as an independent TUF client
for the interoperability tests: refreshes from a repository made by
`rampart repo`, then finds and downloads each target.

    python3 pythontuf_client.py METADATA_DIR METADATA_URL TARGET_URL TARGET_DIR [PATH...]

METADATA_DIR must already hold the trusted root.json.  Prints one line per
target ("ok PATH LENGTH"), and one with its custom metadata when it has some
("custom PATH JSON", compact), and exits 0; on any failure prints the error
and exits 1.  python-tuf itself is not part of Rampart: the test that runs
this script finds it outside the repository (tests/integration/
test_interop_pythontuf.sh).
"""
import json
import os
import sys

from tuf.ngclient import Updater


def main(argv):
    if len(argv) < 4:
        print("usage: pythontuf_client.py METADATA_DIR METADATA_URL TARGET_URL TARGET_DIR [PATH...]",
              file=sys.stderr)
        return 2
    metadata_dir, metadata_url, target_url, target_dir, *targets = argv
    updater = Updater(metadata_dir=metadata_dir, metadata_base_url=metadata_url,
                      target_base_url=target_url, target_dir=target_dir)
    updater.refresh()
    print("refresh ok")
    for t in targets:
        info = updater.get_targetinfo(t)
        if info is None:
            print(f"target not found: {t}", file=sys.stderr)
            return 1
        if info.custom:
            print("custom", t, json.dumps(info.custom, separators=(",", ":"), ensure_ascii=False))
        dest = os.path.join(target_dir, t)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        updater.download_target(info, dest)
        print("ok", t, info.length)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as e:  # every failure is one line and status 1
        print(f"python-tuf: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
