postMessage("from the network");
