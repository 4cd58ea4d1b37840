// Cancels its own uncaught errors, and reports them to the page instead.
self.onerror = (message, filename, lineno) => {
  postMessage({ message, lineno, fromOnerror: true });
  return true;
};
onmessage = () => { null.nope; };
