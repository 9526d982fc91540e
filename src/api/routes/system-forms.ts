import { z } from "zod";
import { messageAllAdmins } from "../../db/queries/admin-messages";
import { sendOneEmail } from "../../domain/email";
import { checkImageUpload, forwardImage } from "../../domain/image-upload";
import type { RouteTable } from "../openapi/routes";
import { requiredText, SuccessDTO } from "../schemas/fields";
import type { Services } from "../services";

/** The contact-admin form and image uploads: requests the API relays to people or services elsewhere. */
export function systemFormRoutes(routes: RouteTable, services: Services): void {
  const { db, config, logger } = services;

  routes.add({
    method: "post",
    path: "/api/v2/system/contact-admin/",
    tag: "system",
    summary: "Send a message to the site's admins",
    description:
      "Every admin finds it in their notifications; when TM_EMAIL_CONTACT_ADDRESS and TM_SMTP_HOST are set it is also emailed there (best effort).",
    auth: "none",
    body: z.object({
      name: z.string().trim().max(200).nullish(),
      email: z.email().max(320),
      content: requiredText.max(10000),
    }),
    status: 201,
    responses: { 201: { description: "Sent", schema: SuccessDTO } },
    handler: async ({ body }) => {
      const sender = body.name ? `${body.name} <${body.email}>` : body.email;
      const subject = `Contact form: message from ${body.name || body.email}`;
      const text = `${body.content}\n\n--\nSent with the contact form by ${sender}.`;
      await messageAllAdmins(db, { subject, message: text });
      if (config.contactAddress) {
        await sendOneEmail(config.smtp, { to: config.contactAddress, subject, text }).catch((error: unknown) =>
          logger.warn({ err: error }, "contact-admin email not sent"),
        );
      }
      return { Success: "Email sent" };
    },
  });

  routes.add({
    method: "post",
    path: "/api/v2/system/image-upload/",
    tag: "system",
    summary: "Upload a base64 image (png, jpeg, webp, gif) to the image service; answers its URL",
    description:
      "Forwards to TM_IMAGE_UPLOAD_API_URL with TM_IMAGE_UPLOAD_API_KEY. 400 MissingFilename, MissingMime, UnsupportedFile or InvalidData for a bad image; " +
      "503 UndefinedImageService when no service is configured; 502 ImageServiceError when it fails.",
    auth: "required",
    body: z.object({
      mime: z.string().nullish(),
      data: z.string().nullish(),
      filename: z.string().trim().max(255).nullish(),
    }),
    status: 201,
    responses: { 201: { description: "The image service's answer, e.g. {\"url\": ...}", schema: z.record(z.string(), z.unknown()) } },
    handler: async ({ body }) => forwardImage(config.imageUpload, checkImageUpload(body)),
  });
}
