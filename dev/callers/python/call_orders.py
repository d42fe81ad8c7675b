#!/usr/bin/env python3
"""A daemon's call to the Orders API through the local Entra stand-in, with MSAL for Python.

Trust: run with REQUESTS_CA_BUNDLE=.dev-state/tls/ca-bundle.pem (the system roots plus the
stand-in's CA). requests reads that variable ahead of any verify= a client passes, so it is the
one setting that works whatever the machine presets.

Settings come from the environment, defaulting to the dev registry's writer client:
  AUTH_INSTANCE   the stand-in's URL (npm start prints it; default https://127.0.0.1:7443)
  AUTH_TENANT_ID  default de700000-0000-4000-8000-000000000001
  CLIENT_ID, CLIENT_SECRET, API (the API's App ID URI, default api://orders-api)
  ORDERS_URL      default http://localhost:7071/api/orders
Prints "python msal <version>: GET <url> -> <status>"; exits 0 only on a 2xx.
"""
import os
import sys

import msal
import requests

instance = os.environ.get("AUTH_INSTANCE", "https://127.0.0.1:7443").rstrip("/")
tenant = os.environ.get("AUTH_TENANT_ID", "de700000-0000-4000-8000-000000000001")
client_id = os.environ.get("CLIENT_ID", "de700000-0000-4000-8000-0000000c0002")
secret = os.environ.get("CLIENT_SECRET", "dev-only~writer~not-a-real-secret")
api = os.environ.get("API", "api://orders-api")
orders_url = os.environ.get("ORDERS_URL", "http://localhost:7071/api/orders")

app = msal.ConfidentialClientApplication(
    client_id,
    authority=f"{instance}/{tenant}",
    client_credential=secret,
    # The stand-in is not a known Entra host: skip the instance discovery call to login.microsoftonline.com.
    validate_authority=False,
)
result = app.acquire_token_for_client(scopes=[api + "/.default"])
if "access_token" not in result:
    print(f"python msal {msal.__version__}: no token: {result.get('error')}: {result.get('error_description')}")
    sys.exit(1)

response = requests.get(orders_url, headers={"Authorization": f"Bearer {result['access_token']}"}, timeout=30)
print(f"python msal {msal.__version__}: GET {orders_url} -> {response.status_code}")
sys.exit(0 if 200 <= response.status_code < 300 else 1)
