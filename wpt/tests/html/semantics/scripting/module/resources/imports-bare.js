import "lodash";
window.importsBareRan = true;
