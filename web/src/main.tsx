import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiClient } from "./api/client";
import { loadApiUrl } from "./api/config";
import { App } from "./App";
import { applyTheme, loadTheme } from "./theme";
import "./styles.css";

applyTheme(loadTheme());

void loadApiUrl().then((baseUrl) => {
  const client = new ApiClient({ baseUrl });
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
});
