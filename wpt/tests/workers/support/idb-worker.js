// Reads what the page stored in the "shared" database and adds a record of its own.
onmessage = async (event) => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open(event.data.name, 1);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const tx = db.transaction("things", "readwrite");
  const store = tx.objectStore("things");
  const fromPage = await new Promise((resolve) => {
    const get = store.get("page");
    get.onsuccess = () => resolve(get.result);
  });
  store.put({ by: "worker" }, "worker");
  await new Promise((resolve) => { tx.oncomplete = resolve; });
  db.close();
  postMessage({ fromPage });
};
