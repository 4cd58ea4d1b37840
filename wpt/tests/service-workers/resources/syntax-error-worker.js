// Not JavaScript: evaluation fails with a SyntaxError.
self.addEventListener("install", (event) => {
