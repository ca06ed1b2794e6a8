import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, preloadRoute } from "./App";
import { routePath } from "./lib/base";
import "./styles.css";

preloadRoute(routePath(window.location.pathname));

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
