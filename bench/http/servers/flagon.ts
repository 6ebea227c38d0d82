/** Flagon, served by `http.createServer(app.listener)`. */
import { createServer } from "node:http";
import { listenPort } from "../app-spec.js";
import { answerMemoryQueries } from "./_memory.js";
import { app } from "./flagon-app.js";

answerMemoryQueries();
createServer(app.listener).listen(listenPort(), "127.0.0.1");
