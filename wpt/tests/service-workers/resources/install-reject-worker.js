// Its install event's waitUntil promise rejects.
self.addEventListener("install", (event) => {
  event.waitUntil(new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error("rejected on purpose")), 50);
  }));
});
