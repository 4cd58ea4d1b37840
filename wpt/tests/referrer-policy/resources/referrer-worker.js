// Posts the Referer header its fetch() sent (null for none).
fetch("/fetch/resources/echo.py?headers=Referer")
  .then((response) => response.json())
  .then((echo) => postMessage(echo.headers.referer));
