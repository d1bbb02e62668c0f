import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import "./theme";
import { App } from "./App";
import { setApiKey } from "./api/http";

// A sign-in link (`/#key=<api key>`, printed by `make demo`) stores the key and leaves the URL clean.
const fromHash = new URLSearchParams(window.location.hash.slice(1)).get("key");
if (fromHash) {
  setApiKey(fromHash);
  history.replaceState(null, "", window.location.pathname + window.location.search);
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
