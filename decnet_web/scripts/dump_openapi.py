"""Write the API's OpenAPI schema as JSON to the path given, without serving.

Usage: python scripts/dump_openapi.py OUT.json (run from decnet_web/ with the
project's virtual environment active).
"""

import json
import os
import sys
import tempfile


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: dump_openapi.py OUT.json")
    # Building the app touches no database, but keep any file it might
    # create out of the user's DECNET_HOME.
    os.environ.setdefault("DECNET_HOME", tempfile.mkdtemp(prefix="decnet-openapi-"))
    from decnet.web.api.app import create_app

    schema = create_app().openapi()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(schema, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
