using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cdd.Operator.Extender;

/// <summary>POST /filter and POST /prioritize, as kube-scheduler's extender config names them (filterVerb, prioritizeVerb).</summary>
public static class ExtenderEndpoints
{
    public static void Map(WebApplication app, SchedulerExtender extender)
    {
        app.MapPost("/filter", async (HttpContext ctx) =>
        {
            if (await Read(ctx) is not { } args) return;
            // Filter problems travel in the Error field: kube-scheduler reads it and reports it on the pod.
            await ctx.Response.WriteAsJsonAsync(extender.Filter(args));
        });
        app.MapPost("/prioritize", async (HttpContext ctx) =>
        {
            if (await Read(ctx) is not { } args) return;
            try
            {
                await ctx.Response.WriteAsJsonAsync(extender.Prioritize(args));
            }
            catch (ExtenderRequestException ex)
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                await ctx.Response.WriteAsync(ex.Message);
            }
        });
        app.MapGet("/healthz", () => "ok");
    }

    private static async Task<ExtenderArgs?> Read(HttpContext ctx)
    {
        try
        {
            var args = await JsonSerializer.DeserializeAsync<ExtenderArgs>(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            if (args is not null) return args;
        }
        catch (JsonException ex)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ctx.Response.WriteAsync($"not ExtenderArgs JSON: {ex.Message}");
            return null;
        }
        ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
        await ctx.Response.WriteAsync("empty body: ExtenderArgs expected");
        return null;
    }
}
