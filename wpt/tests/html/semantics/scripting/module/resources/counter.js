// Counts its evaluations: a module is evaluated once however often it is imported.
window.counterEvaluations = (window.counterEvaluations || 0) + 1;
export let count = 0;
export function increment() {
  count += 1;
  return count;
}
