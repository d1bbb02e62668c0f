import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import "./theme";
import { App } from "./App";

// Earlier versions kept an API key in localStorage and took one from `/#key=` links: the browser now
// signs in with a session cookie, so a key left from then is wiped and such a link is not followed.
try {
  localStorage.removeItem("runyard:key");
} catch {
  /* storage unavailable */
}
if (/(?:^#|&)key=/.test(window.location.hash)) history.replaceState(null, "", window.location.pathname + window.location.search);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
