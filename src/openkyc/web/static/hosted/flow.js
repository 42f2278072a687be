/* OpenKYC hosted page: live camera capture and progress polling. No dependencies.
   Everything here is an enhancement: without it the upload forms and page reloads work. */
(function () {
  "use strict";
  var body = document.body;
  var texts = {};
  try { texts = JSON.parse(document.getElementById("texts").textContent); } catch (e) { texts = {}; }
  function t(key) { return texts[key] || ""; }
  var csrf = body.getAttribute("data-csrf") || "";

  if (window.matchMedia && window.matchMedia("(pointer: coarse)").matches) {
    document.querySelectorAll("[data-desktop-only]").forEach(function (el) { el.classList.add("hidden"); });
  }

  function showProblems(messages) {
    var box = document.getElementById("findings");
    if (!box) { return; }
    var list = box.querySelector("ul");
    list.textContent = "";
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    box.classList.remove("hidden");
    box.focus();
  }

  function send(action, form) {
    return fetch(action, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    }).then(function (response) {
      return response.json().catch(function () { return { success: false, error: { message: t("network_error") } }; });
    });
  }

  function handleAnswer(answer, done) {
    if (answer.success && answer.accepted) {
      done();
      window.location.assign(answer.next);
      return true;
    }
    if (answer.success) {
      showProblems(answer.findings.map(function (f) { return f.message; }));
    } else {
      showProblems([(answer.error && answer.error.message) || t("network_error")]);
    }
    return false;
  }

  function grab(video, maxSide) {
    var w = video.videoWidth, h = video.videoHeight;
    var scale = Math.min(1, maxSide / Math.max(w, h));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.9); });
  }

  function setupCamera(root) {
    var video = root.querySelector("video");
    var shutter = root.querySelector(".shutter");
    var status = root.querySelector(".status");
    var facing = root.getAttribute("data-camera");
    var action = root.getAttribute("data-action");
    var stream = null;

    function stop() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
    }
    function fallback(message) {
      stop();
      root.classList.add("hidden");
      var note = document.createElement("p");
      note.className = "note";
      note.setAttribute("role", "status");
      /* The selfie: the phone hand-off comes first (a photo proves no liveness). */
      var other = document.querySelector(".no-camera");
      if (other && root.classList.contains("selfie")) {
        note.textContent = t("camera_denied_live");
        other.insertBefore(note, other.querySelector("form"));
        var handoff = other.querySelector(".handoff-button");
        if (handoff) { handoff.focus(); }
        return;
      }
      note.textContent = message;
      var upload = document.querySelector(".upload");
      if (!upload) { return; }
      upload.parentNode.insertBefore(note, upload);
      var input = upload.querySelector("input[type=file]");
      if (input) { input.focus(); }
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.isSecureContext) {
      return;  /* the upload form is already on the page */
    }
    root.classList.remove("hidden");
    status.textContent = t("camera_starting");
    var wide = facing === "environment" ? 1920 : 1280;
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: facing }, width: { ideal: wide }, height: { ideal: Math.round(wide * 3 / 4) } }
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.setAttribute("playsinline", "");
      video.muted = true;
      return video.play();
    }).then(function () {
      status.textContent = t("camera_ready");
      shutter.disabled = false;
      if (facing === "environment") { watchFraming(); }
    }).catch(function () {
      fallback(t("camera_denied"));
    });
    window.addEventListener("pagehide", stop);

    /* Live hints while framing the document, from a tiny downscaled copy of the picture
       twice a second (cheap on any phone): too dark, or glare. Advice only: the server's
       check of the photo stays the judge. */
    function watchFraming() {
      var hint = root.querySelector(".framing-hint");
      if (!hint) { return; }
      var canvas = document.createElement("canvas");
      canvas.width = 64; canvas.height = 48;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      var shown = "";
      var timer = setInterval(function () {
        if (!stream || !video.videoWidth) { if (!stream) { clearInterval(timer); } return; }
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        var total = 0, bright = 0, count = data.length / 4;
        for (var i = 0; i < data.length; i += 4) {
          var luma = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
          total += luma;
          if (luma >= 250) { bright += 1; }
        }
        var key = total / count < 60 ? "hint_dark" : (bright / count > 0.08 ? "hint_glare" : "");
        if (key !== shown) {
          shown = key;
          hint.textContent = key ? t(key) : "";
          hint.classList.toggle("hidden", !key);
        }
      }, 500);
    }

    if (root.classList.contains("selfie")) {
      shutter.addEventListener("click", function () { selfie(); });
    } else {
      shutter.addEventListener("click", function () { documentPhoto(); });
    }

    function documentPhoto() {
      shutter.disabled = true;
      status.textContent = t("checking");
      grab(video, 2560).then(function (blob) {
        var form = new FormData();
        form.append("image", blob, "document.jpg");
        return send(action, form);
      }).then(function (answer) {
        if (!handleAnswer(answer, stop)) { status.textContent = ""; shutter.disabled = false; }
      }).catch(function () {
        showProblems([t("network_error")]);
        status.textContent = "";
        shutter.disabled = false;
      });
    }

    function selfie() {
      /* One instruction per segment, frames at a steady pace throughout, so the server sees
         every movement as it happens (and no gap longer than the liveness check allows). A
         phone too slow for the pace holds each instruction until it has recorded a few frames
         of it: a movement seen in one or two frames is too often missed by the check. */
      var steps = ["get_ready"].concat((root.getAttribute("data-steps") || "").split(",").filter(Boolean), ["get_ready"]);
      var maxFrames = parseInt(root.getAttribute("data-max-frames"), 10) || 24;
      var segment = 1500, minPerStep = 3, total = steps.length * segment;
      var interval = Math.max(200, Math.ceil(total / maxFrames));
      var instruction = root.querySelector(".instruction");
      var pending = [], times = [], started = performance.now();
      var step = 0, stepStarted = started, inStep = 0;
      shutter.disabled = true;
      instruction.textContent = t(steps[0]);
      /* A visible countdown and progress bar while recording (not announced: the
         instructions are, and a ticking live region would drown them). */
      var meter = root.querySelector(".recording");
      var bar = meter ? meter.querySelector("progress") : null;
      var left = meter ? meter.querySelector(".recording-text") : null;
      if (meter) { meter.classList.remove("hidden"); }
      root.classList.add("is-recording");
      /* Touch the page only when what it shows changes: on a slow phone every repaint
         delays the next frame grab. */
      var shownPercent = -1, shownSeconds = -1;
      function showProgress(now) {
        var percent = Math.round(20 * Math.min(1, Math.max(step / steps.length, (now - started) / total))) * 5;
        var seconds = Math.max(1, Math.ceil((total - (now - started)) / 1000));
        if (bar && percent !== shownPercent) { bar.value = percent; shownPercent = percent; }
        if (left && seconds !== shownSeconds) { left.textContent = t("recording").replace("%(num)d", String(seconds)); shownSeconds = seconds; }
      }
      var recorded = new Promise(function (resolve) {
        function tick() {
          var now = performance.now();
          if (now - stepStarted >= segment && inStep >= minPerStep) { step += 1; stepStarted = now; inStep = 0; }
          showProgress(now);
          if (step >= steps.length || pending.length >= maxFrames) {
            if (meter) { meter.classList.add("hidden"); }
            root.classList.remove("is-recording");
            resolve();
            return;
          }
          instruction.textContent = t(steps[step]);
          inStep += 1;
          times.push(Math.round(now - started));
          /* grab() draws the frame now and encodes it in the background: a slow phone still
             samples the movement at an even pace instead of one frame per JPEG encoding. */
          pending.push(grab(video, 720));
          /* Never sooner than half an interval: the camera must have a new frame to give. */
          var due = started + times.length * interval - performance.now();
          setTimeout(tick, Math.max(interval / 2, due));
        }
        tick();
      });
      recorded.then(function () { return Promise.all(pending); }).then(function (frames) {
        instruction.textContent = t("done");
        status.textContent = t("uploading");
        var form = new FormData();
        frames.forEach(function (blob, index) { form.append("frames", blob, "frame-" + index + ".jpg"); });
        form.append("times", times.join(","));
        return send(action, form);
      }).then(function (answer) {
        /* Movements missed: the server issued a fresh challenge for the next recording. */
        if (answer.steps) { root.setAttribute("data-steps", answer.steps.join(",")); }
        if (!handleAnswer(answer, stop)) { instruction.textContent = ""; status.textContent = ""; shutter.disabled = false; }
      }).catch(function () {
        showProblems([t("network_error")]);
        instruction.textContent = "";
        status.textContent = "";
        shutter.disabled = false;
      });
    }
  }

  document.querySelectorAll(".camera").forEach(setupCamera);

  /* Refuse an oversized file before sending it: on a slow network that saves minutes, and the
     server's own refusal of a huge body cannot come back as a page. */
  document.querySelectorAll(".file-input").forEach(function (input) {
    input.addEventListener("change", function () {
      var shown = input.parentNode.querySelector(".file-name");
      if (shown) {
        shown.textContent = Array.prototype.map.call(input.files || [], function (f) { return f.name; }).join(", ");
      }
    });
  });

  document.querySelectorAll("form[data-max-bytes]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
      var input = form.querySelector("input[type=file]");
      var files = input && input.files ? Array.prototype.slice.call(input.files) : [];
      if (files.some(function (file) { return file.size > limit; })) {
        event.preventDefault();
        showProblems([t("too_large")]);
      }
    });
  });

  /* A result arrives by navigation from the processing page: move focus to it so that a
     screen reader starts reading there (its title already names the outcome). */
  if (body.getAttribute("data-page") === "result") {
    var main = document.getElementById("main");
    if (main) { main.focus(); }
  }

  var back = document.querySelector("[data-auto-redirect]");
  if (back) {
    setTimeout(function () { window.location.assign(back.getAttribute("href")); },
      parseInt(back.getAttribute("data-auto-redirect"), 10) || 8000);
  }

  var poller = document.querySelector("[data-poll]");
  if (poller) {
    var url = poller.getAttribute("data-poll");
    var follow = poller.hasAttribute("data-follow");
    var statusLine = poller.querySelector(".status");
    var delay = 1500;
    var tick = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          delay = 1500;
          if (!data.success) { return; }
          if (follow && statusLine) {
            statusLine.textContent = statusLine.getAttribute(data.phoneConnected ? "data-connected" : "data-waiting");
            var where = poller.querySelector(".phone-step");
            if (where && data.phoneConnected) { where.textContent = where.getAttribute("data-" + data.step) || ""; }
          }
          if (data.final || (!follow && data.state !== "pending")) {
            window.location.assign(body.getAttribute("data-url"));
            return;
          }
          setTimeout(tick, delay);
        })
        .catch(function () { delay = Math.min(delay * 2, 15000); setTimeout(tick, delay); });
    };
    setTimeout(tick, delay);
  }
}());
