import { increment } from "./counter.js";
window.externalResult = {
  strictThis: this,
  later: document.getElementById("after-external") !== null,
  count: increment(),
};
