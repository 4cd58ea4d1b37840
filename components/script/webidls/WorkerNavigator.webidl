// https://html.spec.whatwg.org/multipage/workers.html#the-workernavigator-object
[Exposed=Worker]
interface WorkerNavigator {};
WorkerNavigator includes NavigatorID;
WorkerNavigator includes NavigatorOnLine;
