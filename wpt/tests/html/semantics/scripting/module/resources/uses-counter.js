import { increment } from "./counter.js";
export const afterIncrement = increment();
export const url = import.meta.url;
