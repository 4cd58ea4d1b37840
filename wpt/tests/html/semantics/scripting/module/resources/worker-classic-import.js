import("./worker-dep.js").then(
  (module) => postMessage(module.value),
  (error) => postMessage(error.name),
);
