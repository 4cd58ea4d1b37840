window.syntaxErrorRan = true;
export const = ;
