// Ctrl+Enter (or Cmd+Enter) in the description saves the call without reaching for the mouse.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    document.getElementById("hotline")?.requestSubmit();
  }
});
