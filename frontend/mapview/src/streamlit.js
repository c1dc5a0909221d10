// The Streamlit components-v1 message protocol, without the streamlit-component-lib
// package (which would pull React and Apache Arrow into the bundle): the frame says it is
// ready, Streamlit sends "render" messages with the Python arguments, and the frame sends
// back its height and its value (which reruns the script).

function send(type, data = {}) {
  window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, "*");
}

export function onRender(callback) {
  window.addEventListener("message", (event) => {
    if (event.data && event.data.type === "streamlit:render") callback(event.data.args || {});
  });
  send("streamlit:componentReady", { apiVersion: 1 });
}

export function setFrameHeight(height) {
  send("streamlit:setFrameHeight", { height });
}

export function setComponentValue(value) {
  send("streamlit:setComponentValue", { value, dataType: "json" });
}
