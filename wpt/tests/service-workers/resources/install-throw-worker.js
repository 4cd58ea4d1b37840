// Its install event handler throws.
self.addEventListener("install", () => {
  throw new Error("thrown by the install handler on purpose");
});
