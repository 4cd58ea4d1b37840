// Imports resolve against this module's URL, not the page's.
import { increment } from "../counter.js";
export const fromDeep = "deep";
export const deepUrl = import.meta.url;
export { increment };
