// Fetches a URL only the service worker answers, and tells the page what came back.
onmessage = async () => {
  try {
    const response = await fetch("intercept-me");
    postMessage({ status: response.status, text: await response.text() });
  } catch (error) {
    postMessage({ error: error.name });
  }
};
